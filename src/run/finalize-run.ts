import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAccomplishmentReport, renderAccomplishmentMarkdown, type AccomplishmentReport, type RunFacts } from '../core/report/accomplishment-report.js';
import { planDocumentation, upsertAgentsSession, upsertOwnedSection } from '../core/report/session-docs.js';
import { parseWorkerReply, type WorkerReply } from '../core/worker-reply/worker-reply.js';
import { writeRepoDocument } from '../store/repo-documents.js';
import type { RunStatus } from '../store/run-records.js';
import { emit, now, objectiveBranch, type RunContext } from './run-context.js';
import type { Lane } from './worktree-lanes.js';

/** The report's facts, read back from SQLite: what happened, not what was planned. */
export function runFacts(context: Pick<RunContext, 'store' | 'runId' | 'plan'>, status: RunStatus, headCommit: string | null): RunFacts {
  const run = context.store.runs.get(context.runId)!;
  const rows = context.store.runs.objectives(context.runId);
  const byId = new Map(context.plan.objectives.map((objective) => [objective.id, objective]));
  return {
    runId: run.id,
    planId: run.planId,
    repo: run.repo,
    request: context.plan.request,
    taskType: context.plan.taskType,
    status,
    mode: run.mode,
    integrationBranch: run.integrationBranch,
    baseBranch: run.baseBranch,
    baseCommit: run.baseCommit,
    headCommit,
    startedAt: run.createdAt,
    finishedAt: run.finishedAt ?? now(),
    objectives: rows.map((row) => ({
      id: row.objectiveId,
      title: byId.get(row.objectiveId)?.title ?? row.objectiveId,
      wave: row.wave,
      state: row.state,
      workerId: row.workerId,
      attempts: row.attempts,
      files: row.files,
      violations: row.violations,
      error: row.error,
      reply: row.reply ? ({ ...parseWorkerReply(''), ...row.reply } as WorkerReply) : null,
      startedAt: row.startedAt,
      finishedAt: row.finishedAt,
      dependsOn: byId.get(row.objectiveId)?.dependsOn ?? [],
    })),
    waves: context.store.runs.waves(context.runId).map((wave) => ({ wave: wave.wave, status: wave.status, verify: wave.verify })),
    attempts: context.store.runs.attempts(context.runId),
  };
}

/**
 * Ends a run: decides its status, writes the AccomplishmentReport (markdown in the repository,
 * JSON in SQLite), updates AGENTS.md / README.md / PRD.md on the integration branch, removes the
 * worktrees, and announces the end.
 */
export async function finalizeRun(
  context: RunContext,
  forcedStatus: RunStatus | undefined,
  failure: string | null,
  _durationMs: number,
  /** The workers being stopped meanwhile: the run ends once they are gone. */
  workersStopped: Promise<void> = Promise.resolve(),
): Promise<AccomplishmentReport> {
  const { store, runId } = context;
  store.runs.update(runId, { phase: 'report' });
  emit(context, 'phase_started', { phase: 'report' });
  const rows = store.runs.objectives(runId);
  const status: RunStatus = forcedStatus ?? (rows.every((row) => row.state === 'merged') ? 'completed' : 'failed');
  const merged = rows.filter((row) => row.state === 'merged');

  let head = context.integrationBranch ? await context.git!.refCommit(context.integrationBranch) : null;
  let report = buildAccomplishmentReport(runFacts(context, status, head));
  // Removing the worktrees is most of a run's end: it runs on other cores, for all but the one
  // the session docs are written in (the last wave started it already).
  if (merged.length > 0 && status !== 'interrupted') {
    head = (await writeSessionDocs(context, report, head)) ?? head;
    report = { ...report, headCommit: head };
  }
  context.lanes?.discardIdle();
  await writeRepoDocument(context.repo, `docs/accomplishments/ACCOMPLISHMENT_${runId}.md`, renderAccomplishmentMarkdown(report));
  store.runs.saveReport(runId, report);
  const cleaned = (async () => {
    await context.lanes?.discarded();
    await cleanUpWorktrees(
      context,
      merged.map((row) => row.objectiveId),
      // Branches made ahead for objectives that never started, or left at their base by a worker that changed nothing, hold nothing.
      rows.filter((row) => row.attempts === 0 || row.state === 'no_changes').map((row) => row.objectiveId),
    );
  })();
  await Promise.all([workersStopped, cleaned]);
  store.runs.update(runId, { status, phase: 'done', error: failure, finishedAt: now() });
  emit(context, 'run_finished', {
    status,
    summary: report.summary,
    integration_branch: context.integrationBranch,
    head_commit: head,
    report_path: `docs/accomplishments/ACCOMPLISHMENT_${runId}.md`,
    error: failure,
  });
  return report;
}

/** Auto-documentation goes on the integration branch (or into the shared tree), never onto the user's branch. */
async function writeSessionDocs(context: RunContext, report: AccomplishmentReport, integrationHead: string | null): Promise<string | null> {
  let lane: Lane | undefined;
  let base: string | null = null;
  if (context.lanes) {
    base = integrationHead;
    if (!base) throw new Error(`the integration branch ${context.integrationBranch} is gone`);
    context.lanes.discardIdle(1);
    lane = await context.lanes.take(objectiveBranch(context.runId, '_docs'), base);
  }
  const folder = lane?.path ?? context.repo;
  const read = (name: string) => (existsSync(join(folder, name)) ? readFileSync(join(folder, name), 'utf8') : null);
  const documentation = planDocumentation(report, { readme: read('README.md'), prd: read('PRD.md') });
  const written = new Map<string, Buffer>([['AGENTS.md', Buffer.from(upsertAgentsSession(read('AGENTS.md'), documentation.agents))]]);
  for (const [name, section] of [['README.md', documentation.readme], ['PRD.md', documentation.prd]] as const) {
    if (!section) continue;
    const updated = upsertOwnedSection(read(name), section);
    if (updated.problem) context.log.warn(`${name}: ${updated.problem}`);
    else if (updated.changed) written.set(name, Buffer.from(updated.content));
  }
  if (lane) lane.leftovers = 'unknown';
  for (const [name, content] of written) writeFileSync(join(folder, name), content);
  if (!lane || !base) return null;
  const message = `docs: record ap-orchestrator session ${context.runId}`;
  const branch = objectiveBranch(context.runId, '_docs');
  // The files are this process's own: what changed is known without asking git.
  const committed = (await context.git!.commitFiles(branch, base, written, message)) ?? (await context.git!.commitWorktree(lane, branch, base, message));
  const { head, changes } = committed ?? (await context.git!.commitAll(lane, base, message));
  context.lanes!.give(lane);
  if (changes.length === 0) return base;
  await context.git!.setRef(context.integrationBranch!, head);
  return head;
}

async function cleanUpWorktrees(context: RunContext, mergedObjectives: string[], holdingNothing: string[]): Promise<void> {
  if (context.mode !== 'worktree') return;
  try {
    await Promise.all([
      context.git!.removeWorktrees(context.worktreeRoot),
      // Merged branches live on as parents of the wave merges; failed ones stay for inspection.
      context.git!.deleteBranches(
        [...mergedObjectives, ...holdingNothing, '_docs', ...(context.config.verify || context.verifyWorktree ? ['_verify'] : [])].map((id) => objectiveBranch(context.runId, id)),
      ),
    ]);
  } catch (error) {
    context.log.warn(`cleaning up the worktrees of ${context.runId} failed`, error);
  }
}
