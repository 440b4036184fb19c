import type { ScriptedEdit } from '../core/plan/objective-schema.js';
import type { WorkerReply } from '../core/worker-reply/worker-reply.js';
import type { WorkerConfig } from '../config/worker-config.js';
import type { Activity, TokenUsage } from './activity.js';

/** One attempt at one objective, as handed to a worker. */
export interface Assignment {
  runId: string;
  objectiveId: string;
  attempt: number;
  title: string;
  prompt: string;
  /** The objective's worktree: the worker's working directory. */
  cwd: string;
  edits: readonly ScriptedEdit[];
  timeoutMs: number;
  signal: AbortSignal;
  onActivity: (activity: Activity) => void;
  /** Sessions of earlier attempts at this objective, by agent kind, to resume them. */
  sessions?: ReadonlyMap<string, EarlierSession>;
}

/** A conversation an earlier attempt left, and what it used: some agents report a session's total. */
export interface EarlierSession {
  id: string;
  usage?: TokenUsage;
}

export type AttemptOutcome = 'completed' | 'failed' | 'blocked' | 'crashed' | 'timeout' | 'cancelled';

export interface AttemptResult {
  outcome: AttemptOutcome;
  /** What the worker said at the end (the AP reply), possibly empty. */
  replyText: string;
  reply: WorkerReply;
  /** Why it did not complete, for people. */
  error?: string;
  sessionId?: string;
  usage?: TokenUsage;
  /** Output lines that were not events of the agent's stream, skipped. */
  malformedLines?: number;
}

/**
 * One worker. MCP workers keep a process running across objectives; CLI agents start one
 * process per attempt. Either way `run` never throws: every failure is an outcome.
 */
export interface WorkerAdapter {
  readonly config: WorkerConfig;
  /** Process ids the worker has running now (recorded so a restart can kill leftovers). */
  readonly pids: readonly number[];
  run(assignment: Assignment): Promise<AttemptResult>;
  /** Starts the worker ahead of its first objective, when it keeps a process. Never throws. */
  start?(): Promise<void>;
  /** Stops its processes: stdin closed, then SIGTERM, then SIGKILL to the group, after these waits. */
  stop(options?: { graceMs?: number; termMs?: number }): Promise<void>;
}

/** Lets the pool learn about processes as they come and go. */
export interface ProcessObserver {
  started(workerId: string, pid: number, command: string): void;
  exited(workerId: string, pid: number): void;
}
