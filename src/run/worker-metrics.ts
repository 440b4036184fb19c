import type { Activity } from '../workers/activity.js';

interface Metrics {
  workerId: string;
  agent: string;
  status: 'idle' | 'working' | 'stopped';
  tasksCompleted: number;
  tasksFailed: number;
  toolsUsed: Record<string, number>;
  filesModified: Set<string>;
  startedAt: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  activeObjectives: Set<string>;
}

/**
 * Per-worker numbers for `worker_metrics`: sent whenever they change, at most once per
 * `throttleMs` per worker, with a trailing send so the last change is never lost.
 */
export class WorkerMetrics {
  private readonly metrics = new Map<string, Metrics>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lastSent = new Map<string, number>();

  constructor(
    workers: readonly { id: string; agent: string }[],
    private readonly send: (payload: Record<string, unknown>) => void,
    private readonly throttleMs = 250,
  ) {
    for (const worker of workers) {
      this.metrics.set(worker.id, {
        workerId: worker.id, agent: worker.agent, status: 'idle', tasksCompleted: 0, tasksFailed: 0, toolsUsed: {}, filesModified: new Set(),
        startedAt: Date.now(), inputTokens: 0, outputTokens: 0, costUsd: 0, activeObjectives: new Set(),
      });
    }
  }

  started(workerId: string, objectiveId: string): void {
    this.update(workerId, (metrics) => {
      metrics.activeObjectives.add(objectiveId);
      metrics.status = 'working';
    });
  }

  finished(workerId: string, objectiveId: string, succeeded: boolean, files: readonly string[]): void {
    this.update(workerId, (metrics) => {
      metrics.activeObjectives.delete(objectiveId);
      metrics.status = metrics.activeObjectives.size > 0 ? 'working' : 'idle';
      if (succeeded) metrics.tasksCompleted += 1;
      else metrics.tasksFailed += 1;
      for (const file of files) metrics.filesModified.add(file);
    });
  }

  activity(workerId: string, activity: Activity): void {
    if (activity.kind !== 'tool_use' && activity.kind !== 'usage' && activity.kind !== 'file_change') return;
    this.update(workerId, (metrics) => {
      if (activity.toolName) metrics.toolsUsed[activity.toolName] = (metrics.toolsUsed[activity.toolName] ?? 0) + 1;
      if (activity.usage) {
        metrics.inputTokens += activity.usage.inputTokens;
        metrics.outputTokens += activity.usage.outputTokens;
        metrics.costUsd += activity.usage.costUsd ?? 0;
      }
    });
  }

  activeObjectives(workerId: string): string[] {
    return [...(this.metrics.get(workerId)?.activeObjectives ?? [])];
  }

  stopped(): void {
    for (const workerId of this.metrics.keys()) this.update(workerId, (metrics) => (metrics.status = 'stopped'));
    this.flushAll();
  }

  snapshot(): Record<string, unknown>[] {
    return [...this.metrics.values()].map(toPayload);
  }

  private update(workerId: string, change: (metrics: Metrics) => void): void {
    const metrics = this.metrics.get(workerId);
    if (!metrics) return;
    change(metrics);
    const since = Date.now() - (this.lastSent.get(workerId) ?? 0);
    if (since >= this.throttleMs) this.flush(workerId);
    else if (!this.timers.has(workerId)) {
      const timer = setTimeout(() => this.flush(workerId), this.throttleMs - since);
      timer.unref();
      this.timers.set(workerId, timer);
    }
  }

  private flush(workerId: string): void {
    const timer = this.timers.get(workerId);
    if (timer) clearTimeout(timer);
    this.timers.delete(workerId);
    this.lastSent.set(workerId, Date.now());
    this.send(toPayload(this.metrics.get(workerId)!));
  }

  flushAll(): void {
    for (const workerId of [...this.timers.keys()]) this.flush(workerId);
  }
}

function toPayload(metrics: Metrics): Record<string, unknown> {
  return {
    worker_id: metrics.workerId,
    agent: metrics.agent,
    status: metrics.status,
    tasks_completed: metrics.tasksCompleted,
    tasks_failed: metrics.tasksFailed,
    tools_used: { ...metrics.toolsUsed },
    files_modified: [...metrics.filesModified].sort(),
    uptime_seconds: Math.round((Date.now() - metrics.startedAt) / 100) / 10,
    input_tokens: metrics.inputTokens,
    output_tokens: metrics.outputTokens,
    cost_usd: metrics.costUsd,
    active_objectives: [...metrics.activeObjectives],
  };
}
