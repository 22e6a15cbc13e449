// Runner: a pool of run processes with a queue. At most `poolSize` runs train at once, each in its
// own process; a process that dies fails its own run and nothing else. Progress and metrics are
// buffered and written to the store and sent to listeners in batches a few times a second.
import { fork } from 'node:child_process';
import { isAbsolute, relative } from 'node:path';
import type { MetricPoint, RunProgress } from '../../shared/schemas';
import type { LabEventSink } from '../../shared/api';
import type { Store } from './store';
import { FromRunProcess, type RunProcess, type RunProcessLauncher, type StartMessage } from './protocol';

export interface RunnerOptions {
  store: Store;
  emit: LabEventSink;
  launch: RunProcessLauncher;
  /** Runs training at once; defaults to the number of cores. */
  poolSize: number;
  /** The data directory: model paths are stored relative to it. */
  dataDir: string;
  /** How often buffered progress is flushed (ms). */
  flushIntervalMs?: number;
  /** How long a cancelled run may take to stop before its process is killed (ms). */
  cancelGraceMs?: number;
  /** How long a run may take to checkpoint and stop when the lab closes (ms). */
  closeGraceMs?: number;
}

type Job = Omit<StartMessage, 'type'>;

interface Active {
  job: Job;
  proc: RunProcess;
  points: MetricPoint[];
  progress: RunProgress | null;
  dirty: boolean;
  trainStart: number | null;
  /** The step this attempt started from (a resumed run starts at its checkpoint's), for the ETA. */
  firstStep: number | null;
  outcome: { status: 'completed' | 'cancelled' } | { status: 'failed'; error: string } | null;
  cancelRequested: boolean;
  killTimer?: NodeJS.Timeout;
}

export class Runner {
  private readonly queue: Job[] = [];
  private readonly active = new Map<number, Active>();
  private readonly timer: NodeJS.Timeout;
  private readonly idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly o: RunnerOptions) {
    this.timer = setInterval(() => this.flushAll(), o.flushIntervalMs ?? 250);
    this.timer.unref();
  }

  get poolSize(): number {
    return this.o.poolSize;
  }

  enqueue(job: Job): void {
    this.queue.push(job);
    this.pump();
  }

  /** The process id of a run's process while it is active (for diagnostics and tests). */
  pidOf(runId: number): number | undefined {
    return this.active.get(runId)?.proc.pid;
  }

  /** Cancels a queued run at once, or asks a running one to stop between steps. */
  cancel(runId: number): void {
    const i = this.queue.findIndex((j) => j.runId === runId);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.o.emit('runStatus', this.o.store.setRunStatus(runId, 'cancelled'));
      this.notifyIdle();
      return;
    }
    const a = this.active.get(runId);
    if (!a || a.cancelRequested) return;
    a.cancelRequested = true;
    a.proc.send({ type: 'cancel' });
    a.killTimer = setTimeout(() => a.proc.kill(), this.o.cancelGraceMs ?? 15_000);
  }

  /** Resolves when no run is queued or active (tests and the CLI wait on it). */
  whenIdle(): Promise<void> {
    if (this.queue.length === 0 && this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops every run process; their runs are marked `interrupted`. Each is first asked to cancel, which
   * makes a trainer write a checkpoint of what it trained so far (so Resume can continue it), and is
   * killed if it has not exited after `closeGraceMs`.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    const exits = [...this.active.values()].map(
      (a) => new Promise<void>((resolve) => a.proc.onExit(() => resolve())),
    );
    const grace = this.o.closeGraceMs ?? 5_000;
    for (const a of this.active.values()) {
      a.outcome = { status: 'failed', error: 'the lab stopped while this run was running' };
      a.proc.send({ type: 'cancel' });
      clearTimeout(a.killTimer);
      a.killTimer = setTimeout(() => a.proc.kill(), grace);
    }
    await Promise.all(exits);
  }

  private pump(): void {
    while (!this.closed && this.active.size < this.o.poolSize && this.queue.length > 0) {
      this.start(this.queue.shift()!);
    }
  }

  private start(job: Job): void {
    const { store, emit } = this.o;
    let proc: RunProcess;
    try {
      proc = this.o.launch();
    } catch (e) {
      emit(
        'runStatus',
        store.setRunStatus(job.runId, 'failed', { error: `could not start a run process: ${String(e)}` }),
      );
      return;
    }
    const a: Active = {
      job,
      proc,
      points: [],
      progress: null,
      dirty: false,
      trainStart: null,
      firstStep: null,
      outcome: null,
      cancelRequested: false,
    };
    this.active.set(job.runId, a);
    emit('runStatus', store.setRunStatus(job.runId, 'running'));
    proc.onMessage((raw) => this.onMessage(a, raw));
    proc.onExit((code, signal) => this.onExit(a, code, signal));
    proc.send({ type: 'start', ...job });
  }

  private onMessage(a: Active, raw: unknown): void {
    const parsed = FromRunProcess.safeParse(raw);
    if (!parsed.success) {
      a.outcome = {
        status: 'failed',
        error: `run process sent a malformed message: ${parsed.error.message}`,
      };
      a.proc.kill();
      return;
    }
    const msg = parsed.data;
    const runId = a.job.runId;
    if (msg.type === 'done') a.outcome = { status: msg.status };
    else if (msg.type === 'error') a.outcome = { status: 'failed', error: msg.message };
    else if (msg.type === 'event') {
      const ev = msg.event;
      const t = Date.now();
      switch (ev.type) {
        case 'backend':
          a.trainStart = t;
          this.o.store.setRunBackend(runId, ev.backend);
          this.o.emit('runStatus', this.o.store.getRun(runId));
          break;
        case 'inference':
          this.o.store.setRunInference(runId, ev.inference);
          this.o.emit('runStatus', this.o.store.getRun(runId));
          break;
        case 'progress': {
          const elapsedMs = t - (a.trainStart ?? t);
          a.firstStep ??= ev.step - 1;
          const done = ev.step - a.firstStep; // steps taken in this attempt
          const perStep = done > 0 ? elapsedMs / done : null;
          const etaMs = perStep === null ? null : Math.max(0, perStep * (ev.totalSteps - ev.step));
          a.progress = { step: ev.step, totalSteps: ev.totalSteps, epoch: ev.epoch, elapsedMs, etaMs };
          a.dirty = true;
          break;
        }
        case 'metrics':
          for (const [name, value] of Object.entries(ev.values)) {
            if (Number.isFinite(value)) a.points.push({ step: ev.step, name, value, time: t });
          }
          a.dirty = true;
          break;
        case 'checkpoint':
          // The metrics up to the checkpoint are stored before it is: a resume from it never lacks them.
          this.flush(a);
          this.o.store.addCheckpoint(runId, ev.step, this.rel(ev.path));
          break;
        case 'model': {
          const run = this.o.store.getRun(runId);
          const lineage = ev.arch.lineage as { parentId?: number | null } | undefined;
          this.o.store.addModel({
            name: run.name,
            arch: ev.arch,
            path: this.rel(ev.path),
            runId,
            parentId: lineage?.parentId ?? null,
          });
          break;
        }
        case 'samples':
          this.o.store.addSamples(runId, ev.step, ev.kind, ev.items);
          break;
        case 'log':
          break;
      }
    }
  }

  private rel(path: string): string {
    return isAbsolute(path) ? relative(this.o.dataDir, path) : path;
  }

  private flush(a: Active): void {
    if (!a.dirty) return;
    const points = a.points;
    a.points = [];
    a.dirty = false;
    this.o.store.recordProgress(a.job.runId, a.progress, points);
    if (a.progress) this.o.emit('runProgress', { runId: a.job.runId, progress: a.progress, metrics: points });
  }

  private flushAll(): void {
    for (const a of this.active.values()) {
      try {
        this.flush(a);
      } catch (e) {
        console.error(`could not record progress of run ${a.job.runId}:`, e);
      }
    }
  }

  private onExit(a: Active, code: number | null, signal: string | null): void {
    const runId = a.job.runId;
    clearTimeout(a.killTimer);
    this.active.delete(runId);
    this.flush(a);
    let outcome = a.outcome;
    if (!outcome) {
      if (a.cancelRequested && signal) outcome = { status: 'cancelled' };
      else {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        outcome = { status: 'failed', error: `the run process ${how} before the run finished` };
      }
    }
    if (this.closed) {
      this.o.store.setRunStatus(runId, 'interrupted', {
        error: 'the lab stopped while this run was running',
      });
    } else {
      const error = outcome.status === 'failed' ? outcome.error : null;
      this.o.emit('runStatus', this.o.store.setRunStatus(runId, outcome.status, { error }));
    }
    this.pump();
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.queue.length === 0 && this.active.size === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }
}

/** Launches run processes with child_process.fork (the web host, the CLI and tests). */
export function forkLauncher(workerPath: string, execArgv: string[] = []): RunProcessLauncher {
  return () => {
    const child = fork(workerPath, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return {
      pid: child.pid,
      send: (m) => {
        if (child.connected) child.send(m);
      },
      onMessage: (l) => child.on('message', l),
      onExit: (l) => child.once('exit', (code, signal) => l(code, signal)),
      kill: () => child.kill('SIGKILL'),
    };
  };
}
