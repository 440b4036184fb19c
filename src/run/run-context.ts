import type { OrchestratorConfig } from '../config/load-config.js';
import type { CoordinationPlan } from '../core/plan/coordination-plan.js';
import type { EventBus, RunEventType } from '../events/event-bus.js';
import type { Logger } from '../logger.js';
import type { RunMode } from '../store/run-records.js';
import type { Store } from '../store/store.js';
import type { ObjectiveDispatcher } from './objective-dispatcher.js';
import type { RepoGit, Worktree } from './repo-git.js';
import type { WorkerMetrics } from './worker-metrics.js';
import type { WorktreeLanes } from './worktree-lanes.js';

/** Everything one run's execution works with. */
export interface RunContext {
  runId: string;
  repo: string;
  mode: RunMode;
  store: Store;
  bus: EventBus;
  log: Logger;
  config: OrchestratorConfig;
  plan: CoordinationPlan;
  dispatcher: ObjectiveDispatcher;
  metrics: WorkerMetrics;
  signal: AbortSignal;
  git: RepoGit | undefined;
  /** `<stateDir>/worktrees/<runId>` */
  worktreeRoot: string;
  /** The worktrees objectives borrow; none in shared-tree mode. */
  lanes: WorktreeLanes | undefined;
  /** Where verify runs, on the merged wave; made at the first verify. */
  verifyWorktree?: Worktree;
  integrationBranch: string | null;
  /** Workers whose activity comes from their log files; their MCP progress only keeps calls alive. */
  loggedWorkers: ReadonlySet<string>;
  /** Called when no objective is left to run: the workers can start ending. */
  workersDone?: () => void;
}

export function emit(context: RunContext, type: RunEventType, payload: Record<string, unknown>): void {
  context.bus.emit(context.runId, type, { run_id: context.runId, ...payload });
}

export function now(): string {
  return new Date().toISOString();
}

/**
 * An objective's branch. Not `ap/<runId>/<objectiveId>`: git cannot have that next to the
 * integration branch `ap/<runId>`, since a ref cannot be both a file and a folder.
 */
export function objectiveBranch(runId: string, objectiveId: string): string {
  return `ap/${runId}--${objectiveId}`;
}
