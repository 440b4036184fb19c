import type { WorkerPool, WorkerRequest } from '../workers/worker-pool.js';
import type { Assignment, AttemptResult } from '../workers/worker-adapter.js';

export interface DispatchRequest extends WorkerRequest {
  /**
   * Called once a worker is chosen, before it starts: the engine readies the worktree, records
   * the choice, and hands over what the worker is to do. What it throws fails the dispatch.
   */
  assign: (workerId: string) => Promise<Omit<Assignment, 'timeoutMs'>>;
}

export interface DispatchResult extends AttemptResult {
  workerId: string;
}

/**
 * Where objectives go to be worked on. The local pool is the default; a queue that agent hosts on
 * other machines pull from can take its place without the engine changing.
 */
export interface ObjectiveDispatcher {
  dispatch(request: DispatchRequest, signal: AbortSignal): Promise<DispatchResult>;
  /** Whether any worker can take objectives with this agent hint. */
  canServe(agent: string): boolean;
  /** How many objectives can run at once. */
  capacity(): number;
  /** Gets ready for `objectives` objectives (e.g. starts worker processes); optional. */
  warm?(objectives: number): Promise<void>;
  stop(options?: { graceMs?: number; termMs?: number }): Promise<void>;
}

export class LocalDispatcher implements ObjectiveDispatcher {
  constructor(private readonly pool: WorkerPool) {}

  canServe(agent: string): boolean {
    return this.pool.eligible(agent).length > 0;
  }

  capacity(): number {
    return this.pool.capacity();
  }

  async dispatch(request: DispatchRequest, signal: AbortSignal): Promise<DispatchResult> {
    const lease = await this.pool.acquire(request, signal);
    try {
      const assignment = await request.assign(lease.worker.config.id);
      const result = await lease.worker.run({ ...assignment, timeoutMs: lease.worker.config.timeoutSeconds * 1000 });
      return { ...result, workerId: lease.worker.config.id };
    } finally {
      lease.release();
    }
  }

  warm(objectives: number): Promise<void> {
    return this.pool.warm(objectives);
  }

  stop(options?: { graceMs?: number; termMs?: number }): Promise<void> {
    return this.pool.stop(options);
  }
}
