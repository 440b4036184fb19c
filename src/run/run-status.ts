import { z } from 'zod';
import type { AttemptRow } from '../store/run-records.js';
import type { OpenRepository } from '../store/workspace.js';
import { isAlive } from './process-janitor.js';

export const runStatusSchema = z.object({
  runId: z.string().describe('The run.'),
  planId: z.string().describe('The plan it executes.'),
  repo: z.string().describe('Target repository.'),
  status: z.enum(['running', 'completed', 'failed', 'cancelled', 'interrupted']).describe('`interrupted` runs can be resumed with execute {runId, resume: true}.'),
  phase: z.string().describe('execute, merge, verify, report or done.'),
  mode: z.enum(['worktree', 'shared-tree']).describe('Isolation mode: a git worktree per objective, or one shared tree for a non-git target.'),
  currentWave: z.number().int().describe('Wave being worked on (0 before the first).'),
  integrationBranch: z.string().nullable().describe('Branch the verified waves are merged into.'),
  baseCommit: z.string().nullable().describe('Commit the run started from.'),
  error: z.string().nullable().describe('Why the run stopped, when it failed.'),
  progress: z.object({ total: z.number().int().describe('Objectives in the plan.'), merged: z.number().int().describe('Merged into the integration branch.'), failed: z.number().int().describe('Failed or rolled back.'), noChanges: z.number().int().describe('Done by their worker with no file changed: nothing merged.'), blocked: z.number().int().describe('Blocked by a dependency or a scope request.'), running: z.number().int().describe('Working, or done and waiting for the merge.'), pending: z.number().int().describe('Not started yet.') }).describe('Objective counts.'),
  waves: z
    .array(
      z.object({
        wave: z.number().int().describe('1-based wave number.'),
        status: z.string().describe('pending, running, merging, verifying, done or rolled_back.'),
        verify: z
          .object({
            command: z.string().describe('The verify command.'),
            passed: z.boolean().describe('Whether it passed.'),
            exitCode: z.number().nullable().describe('Its exit code (null when killed).'),
            durationMs: z.number().describe('How long it ran.'),
            outputTail: z.string().describe('The end of its output.'),
            timedOut: z.boolean().describe('Whether it ran out of time.'),
          })
          .nullable()
          .describe('The verify run after this wave, if any.'),
        objectives: z.array(
          z.object({
            id: z.string().describe('Objective id.'),
            state: z.string().describe('pending, running, succeeded, merged, no_changes (done, but no file changed: not merged), failed, blocked, cancelled or rolled_back.'),
            workerId: z.string().nullable().describe('The worker that took it last.'),
            attempts: z.number().int().describe('Attempts so far.'),
            files: z.array(z.string()).describe('Files it changed (from git).'),
            violations: z
              .array(z.object({ file: z.string().describe('The file.'), reason: z.string().describe('outside_touch or forbidden.'), entry: z.string().optional().describe('The forbid entry it matched.') }))
              .describe('Files it changed outside its scope.'),
            error: z.string().nullable().describe('Why it did not succeed.'),
            worktree: z.string().nullable().describe('The folder it works in (a git worktree of the run, or the target itself in shared-tree mode).'),
            usage: z
              .object({ inputTokens: z.number().describe('Input tokens, all attempts.'), outputTokens: z.number().describe('Output tokens, all attempts.'), costUsd: z.number().nullable().describe('Cost in US dollars, when the agent reports it.') })
              .nullable()
              .describe('Token use of its attempts, when the worker reports it.'),
            skippedLines: z.number().int().describe('Output lines of the agent that were not events of its stream and were skipped.'),
          }),
        ).describe('The objectives of the wave.'),
      }),
    )
    .describe('Every wave with its objectives.'),
  workers: z.array(z.record(z.string(), z.unknown())).describe('Latest worker_metrics per worker.'),
  events: z.array(z.object({ seq: z.number().int().describe('Event sequence number.'), type: z.string().describe('Event type.'), timestamp: z.string().describe('ISO timestamp.'), payload: z.record(z.string(), z.unknown()).describe('Event fields.') })).describe('The latest events, oldest first.'),
  lastSeq: z.number().int().describe('Seq of the newest event: pass it as afterSeq to wait for what comes next.'),
});
export type RunStatusSnapshot = z.infer<typeof runStatusSchema>;

/** What `status` returns: the run as SQLite has it now. */
export function runStatusSnapshot(repository: OpenRepository, runId: string, eventLimit = 20): RunStatusSnapshot {
  repository.bus.flush();
  const stored = repository.store.runs.get(runId)!;
  // A run whose orchestrator died is not running, whatever the last write said.
  const orphaned = stored.status === 'running' && stored.ownerPid !== null && !isAlive(stored.ownerPid);
  const run = orphaned
    ? { ...stored, status: 'interrupted' as const, error: 'Its orchestrator process ended while it ran; resume it with execute {runId, resume: true}.' }
    : stored;
  const objectives = repository.store.runs.objectives(runId);
  const attempts = repository.store.runs.attempts(runId);
  const count = (...states: string[]) => objectives.filter((objective) => states.includes(objective.state)).length;
  const events = repository.store.events.latest(runId, eventLimit);
  return {
    runId: run.id,
    planId: run.planId,
    repo: run.repo,
    status: run.status,
    phase: run.phase,
    mode: run.mode,
    currentWave: run.currentWave,
    integrationBranch: run.integrationBranch,
    baseCommit: run.baseCommit,
    error: run.error,
    progress: {
      total: objectives.length,
      merged: count('merged'),
      failed: count('failed', 'rolled_back'),
      noChanges: count('no_changes'),
      blocked: count('blocked'),
      running: count('running', 'succeeded'),
      pending: count('pending', 'cancelled'),
    },
    waves: repository.store.runs.waves(runId).map((wave) => ({
      wave: wave.wave,
      status: wave.status,
      verify: wave.verify,
      objectives: objectives
        .filter((objective) => objective.wave === wave.wave)
        .map((objective) => ({
          id: objective.objectiveId,
          state: objective.state,
          workerId: objective.workerId,
          attempts: objective.attempts,
          files: objective.files,
          violations: objective.violations,
          error: objective.error,
          worktree: objective.worktree,
          ...attemptTotals(attempts.filter((attempt) => attempt.objectiveId === objective.objectiveId)),
        })),
    })),
    workers: repository.store.events.latestMetrics(runId),
    events: events.map((event) => ({ seq: event.seq, type: event.type, timestamp: event.timestamp, payload: event.payload })),
    lastSeq: repository.bus.lastSeq,
  };
}

/** Token use and skipped lines of an objective's attempts. */
function attemptTotals(attempts: readonly AttemptRow[]): { usage: RunStatusSnapshot['waves'][number]['objectives'][number]['usage']; skippedLines: number } {
  const reported = attempts.filter((attempt) => attempt.inputTokens !== null || attempt.outputTokens !== null || attempt.costUsd !== null);
  const costs = reported.map((attempt) => attempt.costUsd).filter((cost): cost is number => cost !== null);
  return {
    usage:
      reported.length === 0
        ? null
        : {
            inputTokens: reported.reduce((total, attempt) => total + (attempt.inputTokens ?? 0), 0),
            outputTokens: reported.reduce((total, attempt) => total + (attempt.outputTokens ?? 0), 0),
            costUsd: costs.length === 0 ? null : Math.round(costs.reduce((total, cost) => total + cost, 0) * 1e6) / 1e6,
          },
    skippedLines: attempts.reduce((total, attempt) => total + (attempt.malformedLines ?? 0), 0),
  };
}

export function summarizeStatus(status: RunStatusSnapshot): string {
  const { progress } = status;
  const lines = [
    `Run ${status.runId}: ${status.status} (phase ${status.phase}, wave ${status.currentWave} of ${status.waves.length}). ${progress.merged}/${progress.total} merged, ${progress.running} running, ${progress.failed} failed, ${progress.blocked} blocked, ${progress.pending} pending${progress.noChanges > 0 ? `, ${progress.noChanges} changed no file` : ''}.`,
  ];
  for (const wave of status.waves) {
    lines.push(`Wave ${wave.wave} (${wave.status}): ${wave.objectives.map((objective) => `${objective.id}=${objective.state}${objective.workerId ? `@${objective.workerId}` : ''}`).join(', ')}`);
  }
  if (status.error) lines.push(`Error: ${status.error}`);
  return lines.join('\n');
}
