import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MoveRefused } from './lane-move.js';
import { runBatch, type LaneMoveBatch, type LaneMoveJob, type LaneMoveOutcome } from './lane-move-thread.js';

// The built thread, also when this module runs from the sources (tests).
const threadPath = fileURLToPath(new URL('../../dist/run/lane-move-thread.js', import.meta.url));

/**
 * Moves worktrees on a worker thread: a wave boundary moves every lane at once, a few
 * milliseconds of file system calls each, while the main thread records the merged wave and
 * readies the next. Without the thread (not built, or it failed), the lanes are moved here.
 */
export class LaneMover {
  private worker: Worker | undefined;
  private broken = false;
  private nextId = 1;
  private readonly pending = new Map<number, (outcomes: LaneMoveOutcome[] | Error) => void>();

  /** Starts the thread ahead of its first batch: starting one takes tens of milliseconds. */
  start(): void {
    if (this.worker || this.broken || !existsSync(threadPath)) return;
    try {
      const worker = new Worker(threadPath);
      worker.unref();
      worker.on('message', ({ id, outcomes }: { id: number; outcomes: LaneMoveOutcome[] }) => this.settle(id, outcomes));
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => this.fail(new Error(`the lane thread exited (${code})`)));
      this.worker = worker;
    } catch {
      this.broken = true;
    }
  }

  /**
   * Moves the lanes of a batch; per job, undefined when it moved, else the error (a
   * `MoveRefused` when it was refused). Never rejects.
   */
  async move(jobs: LaneMoveJob[], contents: ReadonlyMap<string, Buffer>, format: string): Promise<(Error | undefined)[]> {
    if (jobs.length === 0) return [];
    this.start();
    const worker = this.worker;
    const batch = { jobs, contents: new Map(contents), format };
    let outcomes: LaneMoveOutcome[] | Error;
    if (!worker) outcomes = runBatch(batch);
    else {
      const id = this.nextId++;
      outcomes = await new Promise<LaneMoveOutcome[] | Error>((resolve) => {
        this.pending.set(id, resolve);
        if (this.pending.size === 1) worker.ref();
        worker.postMessage({ id, ...batch } satisfies LaneMoveBatch);
      });
    }
    if (outcomes instanceof Error) return jobs.map(() => new Error(outcomes.message));
    return outcomes.map((outcome) => (outcome ? (outcome.refused ? new MoveRefused(outcome.message) : new Error(outcome.message)) : undefined));
  }

  private settle(id: number, outcomes: LaneMoveOutcome[] | Error): void {
    const resolve = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
    resolve?.(outcomes);
  }

  private fail(error: Error): void {
    // Lanes it was moving may be half moved: the callers hand them to git.
    this.broken = true;
    this.worker = undefined;
    for (const id of [...this.pending.keys()]) this.settle(id, error);
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.broken = true;
    await worker?.terminate();
  }
}
