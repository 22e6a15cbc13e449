// Playground generations: each request gets its own run process (never the main thread), which loads
// the model, streams the reply as text deltas, and exits. Stopping a request aborts it between tokens.
import { randomUUID } from 'node:crypto';
import type { LabEventSink } from '../../shared/api';
import type { InferenceInfo } from '../../shared/schemas';
import { FromRunProcess, type RunProcess, type RunProcessLauncher } from './protocol';

export interface PlaygroundRequest {
  modelPath: string;
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
  template: string;
  maxNewTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
}

/** A scoring request that has not answered by then is stopped (a reward model of the lab's sizes scores in seconds). */
const SCORE_TIMEOUT_MS = 120_000;

export class Playground {
  private readonly active = new Map<string, RunProcess>();

  constructor(
    private readonly launch: RunProcessLauncher,
    private readonly emit: LabEventSink,
  ) {}

  start(request: PlaygroundRequest): string {
    const requestId = randomUUID();
    const proc = this.launch();
    this.active.set(requestId, proc);
    let error: string | null = null;
    let inference: InferenceInfo | null = null;
    proc.onMessage((raw) => {
      const msg = FromRunProcess.safeParse(raw);
      if (!msg.success) return;
      if (msg.data.type === 'text')
        this.emit('generation', {
          requestId,
          delta: msg.data.delta,
          done: false,
          error: null,
          inference: null,
        });
      if (msg.data.type === 'event' && msg.data.event.type === 'inference')
        inference = msg.data.event.inference;
      if (msg.data.type === 'error') error = msg.data.message;
    });
    proc.onExit((code, signal) => {
      this.active.delete(requestId);
      if (!error && code !== 0)
        error = `the generation process ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`;
      this.emit('generation', { requestId, delta: '', done: true, error, inference });
    });
    proc.send({ type: 'generate', request });
    return requestId;
  }

  /** Scores responses with a reward model in a run process of its own; rejects with its error. */
  score(request: {
    modelPath: string;
    prompt: string;
    responses: string[];
    template?: string;
  }): Promise<{ rewards: number[]; inference: InferenceInfo | null }> {
    const proc = this.launch();
    const id = randomUUID();
    this.active.set(id, proc); // so that close() ends it too
    return new Promise((resolve, reject) => {
      let rewards: number[] | null = null;
      let inference: InferenceInfo | null = null;
      let error: string | null = null;
      const timer = setTimeout(() => {
        error = `scoring took longer than ${SCORE_TIMEOUT_MS / 1000} s and was stopped`;
        proc.kill();
      }, SCORE_TIMEOUT_MS);
      proc.onMessage((raw) => {
        const msg = FromRunProcess.safeParse(raw);
        if (!msg.success) return;
        if (msg.data.type === 'scores') ({ rewards, inference } = msg.data);
        if (msg.data.type === 'error') error = msg.data.message;
      });
      proc.onExit((code, signal) => {
        clearTimeout(timer);
        this.active.delete(id);
        if (rewards) resolve({ rewards, inference });
        else
          reject(
            new Error(
              error ??
                `the scoring process ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`,
            ),
          );
      });
      proc.send({ type: 'score', request });
    });
  }

  stop(requestId: string): void {
    this.active.get(requestId)?.send({ type: 'cancel' });
  }

  close(): void {
    for (const proc of this.active.values()) proc.kill();
  }
}
