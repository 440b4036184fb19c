import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ServerConnection } from './stdio-server.js';
import { textOf } from './stdio-server.js';

export function builtinTeam(options: { workers?: number; verify?: string; maxAttempts?: number; timeoutSeconds?: number } = {}): string {
  return JSON.stringify({
    ...(options.verify ? { verify: { command: options.verify, timeoutSeconds: 60 } } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    workers: Array.from({ length: options.workers ?? 3 }, (_unused, index) => ({
      id: `builtin-${index + 1}`,
      agent: 'builtin',
      ...(options.timeoutSeconds ? { timeoutSeconds: options.timeoutSeconds } : {}),
    })),
  });
}

/** analyze -> plan (approved) -> execute; returns the run id. */
export async function startRun(server: ServerConnection, repo: string, objectives: unknown[], extra: Record<string, unknown> = {}): Promise<string> {
  const analysis = await server.call('analyze', { repo, request: 'Scripted test work' });
  expect(analysis.isError, textOf(analysis)).toBeFalsy();
  const plan = await server.call('plan', { analysisId: analysis.structuredContent!.analysisId, objectives, approve: true });
  expect(plan.isError, textOf(plan)).toBeFalsy();
  const started = await server.call('execute', { planId: plan.structuredContent!.planId, ...extra });
  expect(started.isError, textOf(started)).toBeFalsy();
  return String(started.structuredContent!.runId);
}

export interface StatusResult {
  status: string;
  phase: string;
  lastSeq: number;
  waves: { wave: number; status: string; objectives: { id: string; state: string; workerId: string | null; attempts: number; files: string[]; violations: { file: string }[]; error: string | null }[] }[];
}

/** Follows a run with `status` long-polls until it leaves `running`. */
export async function waitForRunEnd(server: ServerConnection, runId: string, timeoutMs = 60_000): Promise<StatusResult> {
  const deadline = Date.now() + timeoutMs;
  let afterSeq: number | undefined;
  for (;;) {
    const result = await server.call('status', { runId, waitSeconds: 5, ...(afterSeq === undefined ? {} : { afterSeq }) });
    expect(result.isError, textOf(result)).toBeFalsy();
    const status = result.structuredContent as unknown as StatusResult;
    if (status.status !== 'running') return status;
    if (Date.now() > deadline) throw new Error(`run ${runId} still running after ${timeoutMs} ms: ${textOf(result)}`);
    afterSeq = status.lastSeq;
  }
}

export function objectiveOf(status: StatusResult, id: string) {
  return status.waves.flatMap((wave) => wave.objectives).find((objective) => objective.id === id)!;
}

/** Worker process ids a run recorded in its database. */
export function recordedWorkerPids(repo: string, runId?: string): number[] {
  const database = new Database(join(repo, '.ap/orchestrator.db'), { readonly: true });
  try {
    const rows = database.prepare<[], { pid: number; run_id: string | null }>('SELECT pid, run_id FROM worker_processes').all();
    return rows.filter((row) => runId === undefined || row.run_id === runId).map((row) => row.pid);
  } finally {
    database.close();
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie is dead for our purposes.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Processes (from the process table) whose command line mentions `marker`. */
export function processesMentioning(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(marker) && isProcessAlive(Number(entry))) found.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}

export async function eventually(check: () => boolean, timeoutMs = 10_000, message = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
