// Streaming generations: one `generation` subscription for the page, routing each event to the
// request that started it. Events that arrive before `generate` has answered with their request id
// are held and replayed, so no delta is lost to that race. Leaving the page stops what still runs.
import { useCallback, useEffect, useRef } from 'react';
import type { GenerateInput, GenerationEvent, InferenceInfo } from '../../../shared/schemas';
import { errorMessage, lab } from '../lab';

export interface StreamHandlers {
  onDelta: (delta: string) => void;
  /**
   * Exactly once: `error` when it failed (or could not start), `stopped` when stopped on request,
   * `inference` where the reply was generated (when the run process said).
   */
  onDone: (outcome: { error: string | null; stopped: boolean; inference?: InferenceInfo | null }) => void;
}

/** A started generation; `stop()` works before the request id is known too. */
export interface StreamHandle {
  stop: () => void;
}

interface Active {
  handlers: StreamHandlers;
  stopped: boolean;
}

/** Held events of unknown requests: a few, since other windows' generations arrive here too. */
const MAX_HELD = 32;
/** How long a stopped generation may take to send its closing event before it is ended anyway. */
const STOP_GRACE_MS = 5_000;

export function useGenerationStreams() {
  const active = useRef(new Map<string, Active>());
  const held = useRef(new Map<string, GenerationEvent[]>());
  const mounted = useRef(false);

  const deliver = useCallback((ev: GenerationEvent) => {
    const a = active.current.get(ev.requestId);
    if (!a) {
      const list = held.current.get(ev.requestId) ?? [];
      held.current.set(ev.requestId, [...list, ev]);
      if (held.current.size > MAX_HELD) {
        const oldest = held.current.keys().next().value;
        if (oldest !== undefined) held.current.delete(oldest);
      }
      return;
    }
    if (ev.delta) a.handlers.onDelta(ev.delta);
    if (ev.done) {
      active.current.delete(ev.requestId);
      a.handlers.onDone({
        error: ev.error,
        stopped: a.stopped && ev.error === null,
        inference: ev.inference,
      });
    }
  }, []);

  useEffect(() => {
    const requests = active.current;
    mounted.current = true;
    const off = lab.onGeneration(deliver);
    return () => {
      mounted.current = false;
      off();
      for (const requestId of requests.keys()) void lab.stopGeneration({ requestId }).catch(() => {});
      requests.clear();
    };
  }, [deliver]);

  const start = useCallback(
    (input: GenerateInput, handlers: StreamHandlers): StreamHandle => {
      let requestId: string | null = null;
      let stopWanted = false;
      let finished = false;
      const once: StreamHandlers = {
        onDelta: handlers.onDelta,
        onDone: (outcome) => {
          if (finished) return;
          finished = true;
          handlers.onDone(outcome);
        },
      };
      const stop = (id: string) => {
        const a = active.current.get(id);
        if (a) a.stopped = true;
        void lab.stopGeneration({ requestId: id }).catch(() => {});
      };
      lab.generate(input).then(
        (ref) => {
          requestId = ref.requestId;
          if (!mounted.current) {
            void lab.stopGeneration({ requestId }).catch(() => {});
            return;
          }
          active.current.set(requestId, { handlers: once, stopped: false });
          const early = held.current.get(requestId) ?? [];
          held.current.delete(requestId);
          for (const ev of early) deliver(ev);
          if (stopWanted && active.current.has(requestId)) stop(requestId);
        },
        (e: unknown) => once.onDone({ error: errorMessage(e), stopped: false }),
      );
      return {
        stop: () => {
          stopWanted = true;
          if (requestId !== null) stop(requestId);
          // Should the closing event never come (the host went away), end it here all the same.
          setTimeout(() => {
            if (finished) return;
            if (requestId !== null) active.current.delete(requestId);
            once.onDone({ error: null, stopped: true });
          }, STOP_GRACE_MS);
        },
      };
    },
    [deliver],
  );

  return { start };
}
