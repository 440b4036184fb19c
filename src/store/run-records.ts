import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './open-database.js';

export const runStatuses = ['running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export type RunStatus = (typeof runStatuses)[number];
export type RunMode = 'worktree' | 'shared-tree';
export type WaveStatus = 'pending' | 'running' | 'merging' | 'verifying' | 'done' | 'rolled_back';
/** `no_changes`: the worker said it was done but changed no file; nothing to merge, dependants blocked. */
export type ObjectiveState = 'pending' | 'running' | 'succeeded' | 'merged' | 'no_changes' | 'failed' | 'blocked' | 'cancelled' | 'rolled_back';

export interface RunRow {
  id: string;
  planId: string;
  repo: string;
  status: RunStatus;
  phase: string;
  mode: RunMode;
  currentWave: number;
  baseCommit: string | null;
  baseBranch: string | null;
  integrationBranch: string | null;
  ownerPid: number | null;
  cancelRequested: boolean;
  config: RunSettings;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** What a run was started with, kept so a resume behaves the same. */
export interface RunSettings {
  teamFile: string | null;
  maxAttempts: number;
  verify: { command: string; timeoutSeconds: number } | null;
  apply: boolean;
}

export interface WaveRow {
  wave: number;
  status: WaveStatus;
  baseCommit: string | null;
  verify: VerifyResult | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface VerifyResult {
  command: string;
  passed: boolean;
  exitCode: number | null;
  durationMs: number;
  outputTail: string;
  timedOut: boolean;
}

export interface ScopeViolation {
  file: string;
  reason: 'outside_touch' | 'forbidden';
  entry?: string;
}

export interface RunObjectiveRow {
  objectiveId: string;
  wave: number;
  state: ObjectiveState;
  attempts: number;
  workerId: string | null;
  branch: string | null;
  worktree: string | null;
  commitSha: string | null;
  files: string[];
  violations: ScopeViolation[];
  reply: Record<string, unknown> | null;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface AttemptRow {
  objectiveId: string;
  attempt: number;
  workerId: string;
  outcome: string | null;
  error: string | null;
  sessionId: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  /** Output lines of the agent that were not events of its stream, skipped. */
  malformedLines: number | null;
  startedAt: string;
  finishedAt: string | null;
}

type Row = Record<string, unknown>;
const json = <T>(text: unknown, fallback: T): T => (typeof text === 'string' ? (JSON.parse(text) as T) : fallback);

function runFromRow(row: Row): RunRow {
  return {
    id: row.id as string,
    planId: row.plan_id as string,
    repo: row.repo as string,
    status: row.status as RunStatus,
    phase: row.phase as string,
    mode: row.mode as RunMode,
    currentWave: row.current_wave as number,
    baseCommit: row.base_commit as string | null,
    baseBranch: row.base_branch as string | null,
    integrationBranch: row.integration_branch as string | null,
    ownerPid: row.owner_pid as number | null,
    cancelRequested: row.cancel_requested === 1,
    config: json(row.config_json, {} as RunSettings),
    error: row.error as string | null,
    createdAt: row.created_at as string,
    finishedAt: row.finished_at as string | null,
  };
}

function objectiveFromRow(row: Row): RunObjectiveRow {
  return {
    objectiveId: row.objective_id as string,
    wave: row.wave as number,
    state: row.state as ObjectiveState,
    attempts: row.attempts as number,
    workerId: row.worker_id as string | null,
    branch: row.branch as string | null,
    worktree: row.worktree as string | null,
    commitSha: row.commit_sha as string | null,
    files: json(row.files_json, []),
    violations: json(row.violations_json, []),
    reply: json(row.reply_json, null),
    error: row.error as string | null,
    startedAt: row.started_at as string | null,
    finishedAt: row.finished_at as string | null,
  };
}

const runColumns: Record<string, string> = {
  status: 'status', phase: 'phase', currentWave: 'current_wave', baseCommit: 'base_commit', baseBranch: 'base_branch',
  integrationBranch: 'integration_branch', ownerPid: 'owner_pid', error: 'error', finishedAt: 'finished_at', mode: 'mode',
};
const objectiveColumns: Record<string, string> = {
  state: 'state', attempts: 'attempts', workerId: 'worker_id', branch: 'branch', worktree: 'worktree', commitSha: 'commit_sha',
  files: 'files_json', violations: 'violations_json', reply: 'reply_json', error: 'error', startedAt: 'started_at', finishedAt: 'finished_at',
};
const waveColumns: Record<string, string> = { status: 'status', baseCommit: 'base_commit', verify: 'verify_json', startedAt: 'started_at', finishedAt: 'finished_at' };
const jsonColumns = new Set(['files_json', 'violations_json', 'reply_json', 'verify_json']);

function assignments(fields: Record<string, unknown>, columns: Record<string, string>): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const column = columns[key];
    if (!column || value === undefined) continue;
    parts.push(`${column} = ?`);
    values.push(jsonColumns.has(column) ? JSON.stringify(value) : value);
  }
  return { sql: parts.join(', '), values };
}

/** Runs and everything that belongs to them. Each write is durable before the engine acts on it. */
export class RunRecords {
  /** Prepared once: a run writes its rows thousands of times. */
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly database: SqliteDatabase) {}

  private statement<Parameters extends unknown[] = unknown[], Result = unknown>(sql: string): Statement<Parameters, Result> {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.database.prepare(sql)));
    return statement as Statement<Parameters, Result>;
  }

  create(run: Omit<RunRow, 'cancelRequested' | 'finishedAt' | 'error'>, objectives: { objectiveId: string; wave: number }[], waves: number[]): void {
    this.database.transaction(() => {
      this.database
        .prepare(
          `INSERT INTO runs (id, plan_id, repo, status, phase, mode, current_wave, base_commit, base_branch, integration_branch, owner_pid, config_json, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(run.id, run.planId, run.repo, run.status, run.phase, run.mode, run.currentWave, run.baseCommit, run.baseBranch, run.integrationBranch, run.ownerPid, JSON.stringify(run.config), run.createdAt);
      const insertObjective = this.statement("INSERT INTO run_objectives (run_id, objective_id, wave, state) VALUES (?, ?, ?, 'pending')");
      for (const objective of objectives) insertObjective.run(run.id, objective.objectiveId, objective.wave);
      const insertWave = this.statement("INSERT INTO run_waves (run_id, wave, status) VALUES (?, ?, 'pending')");
      for (const wave of waves) insertWave.run(run.id, wave);
    })();
  }

  get(id: string): RunRow | undefined {
    const row = this.statement<[string], Row>('SELECT * FROM runs WHERE id = ?').get(id);
    return row ? runFromRow(row) : undefined;
  }

  list(limit = 50): RunRow[] {
    return this.statement<[number], Row>('SELECT * FROM runs ORDER BY created_at DESC LIMIT ?').all(limit).map(runFromRow);
  }

  running(): RunRow[] {
    return this.statement<[], Row>("SELECT * FROM runs WHERE status = 'running'").all().map(runFromRow);
  }

  update(id: string, fields: Partial<RunRow>): void {
    const { sql, values } = assignments(fields as Record<string, unknown>, runColumns);
    if (sql) this.statement(`UPDATE runs SET ${sql} WHERE id = ?`).run(...values, id);
  }

  requestCancel(id: string): void {
    this.statement('UPDATE runs SET cancel_requested = 1 WHERE id = ?').run(id);
  }

  clearCancel(id: string): void {
    this.statement('UPDATE runs SET cancel_requested = 0 WHERE id = ?').run(id);
  }

  isCancelRequested(id: string): boolean {
    return this.statement<[string], { cancel_requested: number }>('SELECT cancel_requested FROM runs WHERE id = ?').get(id)?.cancel_requested === 1;
  }

  saveReport(id: string, report: unknown): void {
    this.statement('UPDATE runs SET report_json = ? WHERE id = ?').run(JSON.stringify(report), id);
  }

  report<T>(id: string): T | undefined {
    const row = this.statement<[string], { report_json: string | null }>('SELECT report_json FROM runs WHERE id = ?').get(id);
    return row?.report_json ? (JSON.parse(row.report_json) as T) : undefined;
  }

  waves(runId: string): WaveRow[] {
    return this
      .statement<[string], Row>('SELECT * FROM run_waves WHERE run_id = ? ORDER BY wave')
      .all(runId)
      .map((row) => ({
        wave: row.wave as number,
        status: row.status as WaveStatus,
        baseCommit: row.base_commit as string | null,
        verify: json(row.verify_json, null),
        startedAt: row.started_at as string | null,
        finishedAt: row.finished_at as string | null,
      }));
  }

  updateWave(runId: string, wave: number, fields: Partial<WaveRow>): void {
    const { sql, values } = assignments(fields as Record<string, unknown>, waveColumns);
    if (sql) this.statement(`UPDATE run_waves SET ${sql} WHERE run_id = ? AND wave = ?`).run(...values, runId, wave);
  }

  objectives(runId: string): RunObjectiveRow[] {
    return this.statement<[string], Row>('SELECT * FROM run_objectives WHERE run_id = ? ORDER BY wave, rowid').all(runId).map(objectiveFromRow);
  }

  objective(runId: string, objectiveId: string): RunObjectiveRow | undefined {
    const row = this.statement<[string, string], Row>('SELECT * FROM run_objectives WHERE run_id = ? AND objective_id = ?').get(runId, objectiveId);
    return row ? objectiveFromRow(row) : undefined;
  }

  updateObjective(runId: string, objectiveId: string, fields: Partial<RunObjectiveRow>): void {
    const { sql, values } = assignments(fields as Record<string, unknown>, objectiveColumns);
    if (sql) this.statement(`UPDATE run_objectives SET ${sql} WHERE run_id = ? AND objective_id = ?`).run(...values, runId, objectiveId);
  }

  startAttempt(runId: string, objectiveId: string, attempt: number, workerId: string, startedAt: string): void {
    this
      .statement('INSERT OR REPLACE INTO attempts (run_id, objective_id, attempt, worker_id, started_at) VALUES (?, ?, ?, ?, ?)')
      .run(runId, objectiveId, attempt, workerId, startedAt);
  }

  finishAttempt(
    runId: string,
    objectiveId: string,
    attempt: number,
    fields: { outcome: string; error?: string; sessionId?: string; inputTokens?: number; outputTokens?: number; costUsd?: number; malformedLines?: number; finishedAt: string },
  ): void {
    this
      .statement(
        'UPDATE attempts SET outcome = ?, error = ?, session_id = ?, input_tokens = ?, output_tokens = ?, cost_usd = ?, malformed_lines = ?, finished_at = ? WHERE run_id = ? AND objective_id = ? AND attempt = ?',
      )
      .run(fields.outcome, fields.error ?? null, fields.sessionId ?? null, fields.inputTokens ?? null, fields.outputTokens ?? null, fields.costUsd ?? null, fields.malformedLines ?? null, fields.finishedAt, runId, objectiveId, attempt);
  }

  attempts(runId: string): AttemptRow[] {
    return this
      .statement<[string], Row>('SELECT * FROM attempts WHERE run_id = ? ORDER BY objective_id, attempt')
      .all(runId)
      .map((row) => ({
        objectiveId: row.objective_id as string,
        attempt: row.attempt as number,
        workerId: row.worker_id as string,
        outcome: row.outcome as string | null,
        error: row.error as string | null,
        sessionId: row.session_id as string | null,
        inputTokens: row.input_tokens as number | null,
        outputTokens: row.output_tokens as number | null,
        costUsd: row.cost_usd as number | null,
        malformedLines: row.malformed_lines as number | null,
        startedAt: row.started_at as string,
        finishedAt: row.finished_at as string | null,
      }));
  }

  recordProcess(pid: number, runId: string | null, workerId: string, command: string, startedAt: string, processStart: string | null = null): void {
    this
      .statement('INSERT OR REPLACE INTO worker_processes (pid, run_id, worker_id, owner_pid, command, started_at, process_start) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(pid, runId, workerId, process.pid, command, startedAt, processStart);
  }

  endProcess(pid: number, endedAt: string): void {
    this.statement('UPDATE worker_processes SET ended_at = ? WHERE pid = ? AND ended_at IS NULL').run(endedAt, pid);
  }

  /** Processes recorded as running whose owner (an orchestrator process) is gone. */
  orphanedProcesses(isAlive: (pid: number) => boolean): { pid: number; workerId: string; runId: string | null; command: string; processStart: string | null }[] {
    return this
      .statement<[], { pid: number; worker_id: string; run_id: string | null; owner_pid: number; command: string; process_start: string | null }>(
        'SELECT pid, worker_id, run_id, owner_pid, command, process_start FROM worker_processes WHERE ended_at IS NULL',
      )
      .all()
      .filter((row) => row.owner_pid !== process.pid && !isAlive(row.owner_pid))
      .map((row) => ({ pid: row.pid, workerId: row.worker_id, runId: row.run_id, command: row.command, processStart: row.process_start }));
  }
}
