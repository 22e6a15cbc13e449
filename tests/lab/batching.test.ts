// The Runner batches: a run process that reports a thousand steps at once reaches the store whole,
// and the listeners in a handful of events, not a thousand. The run process here is a stand-in that
// speaks the protocol, so that the timing is the Runner's alone.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Runner } from '../../src/main/lab/runner';
import { Store } from '../../src/main/lab/store';
import type { RunProcess, ToRunProcess } from '../../src/main/lab/protocol';

function scriptedProcess(steps: number): RunProcess {
  const bus = new EventEmitter();
  return {
    pid: undefined,
    send: (m: ToRunProcess) => {
      if (m.type !== 'start') return;
      setImmediate(() => {
        bus.emit('message', {
          type: 'event',
          event: { type: 'backend', backend: { name: 'cpu', reason: 'test' } },
        });
        for (let step = 1; step <= steps; step++) {
          bus.emit('message', {
            type: 'event',
            event: { type: 'progress', step, totalSteps: steps, epoch: step / steps },
          });
          bus.emit('message', {
            type: 'event',
            event: { type: 'metrics', step, values: { loss: 1 / step } },
          });
        }
        bus.emit('message', { type: 'done', status: 'completed' });
        setTimeout(() => bus.emit('exit', 0, null), 300);
      });
    },
    onMessage: (l) => bus.on('message', l),
    onExit: (l) => bus.once('exit', l),
    kill: () => bus.emit('exit', null, 'SIGKILL'),
  };
}

describe('Runner batching', () => {
  it('stores every metric but sends a few batched progress events', async () => {
    const store = new Store(':memory:');
    const events: string[] = [];
    const runner = new Runner({
      store,
      emit: (event) => events.push(event),
      launch: () => scriptedProcess(1000),
      poolSize: 1,
      dataDir: '/nonexistent',
      flushIntervalMs: 100,
    });
    const run = store.createRun({
      name: 'r',
      algorithm: 'dpo',
      dataset: 'seed-dpo',
      datasetName: 's',
      config: {},
      seed: 0,
    });
    runner.enqueue({ runId: run.id, algorithm: 'dpo', config: {}, inputs: {}, outDir: '/nonexistent' });
    await runner.whenIdle();
    expect(store.metrics(run.id)).toHaveLength(1000);
    expect(store.getRun(run.id)).toMatchObject({
      status: 'completed',
      progress: { step: 1000, totalSteps: 1000 },
      summary: { loss: 0.001 },
    });
    const progress = events.filter((e) => e === 'runProgress').length;
    expect(progress).toBeGreaterThanOrEqual(1);
    expect(progress).toBeLessThanOrEqual(5);
    await runner.close();
    store.close();
  });
});
