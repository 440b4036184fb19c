import { byPlainOrder } from '../analysis/plain-order.js';
import type { TaskType } from '../analysis/types.js';
import type { WorkerReply } from '../worker-reply/worker-reply.js';
import type { AttemptRow, ObjectiveState, RunMode, RunStatus, ScopeViolation, VerifyResult, WaveStatus } from '../../store/run-records.js';
import type { AccomplishmentReport, ReportedObjective, Usage } from './accomplishment-report-schema.js';
import { conventionalCommitMessage } from './commit-message.js';

export { accomplishmentReportSchema, type AccomplishmentReport } from './accomplishment-report-schema.js';
export { renderAccomplishmentMarkdown } from './accomplishment-markdown.js';

export interface ObjectiveFacts {
  id: string;
  title: string;
  wave: number;
  state: ObjectiveState;
  workerId: string | null;
  attempts: number;
  /** Changed files from git (snapshots in shared-tree mode), repo-relative. */
  files: string[];
  violations: ScopeViolation[];
  error: string | null;
  reply: WorkerReply | null;
  startedAt: string | null;
  finishedAt: string | null;
  dependsOn: string[];
}

/** What the engine knows at the end (or in the middle) of a run. */
export interface RunFacts {
  runId: string;
  planId: string;
  repo: string;
  request: string;
  taskType: TaskType;
  status: RunStatus;
  mode: RunMode;
  integrationBranch: string | null;
  baseBranch: string | null;
  baseCommit: string | null;
  /** Head of the integration branch. */
  headCommit: string | null;
  startedAt: string;
  finishedAt: string | null;
  objectives: ObjectiveFacts[];
  waves: { wave: number; status: WaveStatus; verify: VerifyResult | null }[];
  attempts: AttemptRow[];
}

export const sharedTreeNote =
  'The target is not a git repository: objectives ran in one shared tree; changes were attributed by scope and violations could be reported but not isolated.';

export function accomplishmentMarkdownPath(runId: string): string {
  return `docs/accomplishments/ACCOMPLISHMENT_${runId}.md`;
}

/** Shared-tree mode has no merge step: a succeeded objective's edits are already in the tree. */
function hasLanded(state: ObjectiveState, mode: RunMode): boolean {
  return state === 'merged' || (mode === 'shared-tree' && state === 'succeeded');
}

function elapsed(start: string | null, end: string | null): number | null {
  if (start === null || end === null) return null;
  const milliseconds = Date.parse(end) - Date.parse(start);
  return Number.isFinite(milliseconds) && milliseconds >= 0 ? milliseconds : null;
}

function sumUsage(attempts: readonly AttemptRow[]): Usage {
  const sum = (pick: (attempt: AttemptRow) => number | null): number | null => {
    const values = attempts.map(pick).filter((value): value is number => value !== null);
    // Float cents add up to 0.30000000000000004 otherwise.
    return values.length === 0 ? null : Math.round(values.reduce((total, value) => total + value, 0) * 1e6) / 1e6;
  };
  return { inputTokens: sum((attempt) => attempt.inputTokens), outputTokens: sum((attempt) => attempt.outputTokens), costUsd: sum((attempt) => attempt.costUsd) };
}

function reportObjective(objective: ObjectiveFacts, landedIds: ReadonlySet<string>, mode: RunMode): ReportedObjective {
  const scopeRequest = objective.reply?.status === 'BLOCKED';
  return {
    id: objective.id,
    title: objective.title,
    wave: objective.wave,
    outcome: objective.state,
    landed: hasLanded(objective.state, mode),
    worker: objective.workerId,
    attempts: objective.attempts,
    files: [...objective.files].sort(byPlainOrder),
    violations: objective.violations.map((violation) => ({ file: violation.file, reason: violation.reason, entry: violation.entry ?? null })),
    error: objective.error,
    testStatus: objective.reply?.testStatus ?? null,
    changeSummary: objective.reply?.changeSummary ?? [],
    requestedScopeAddition: scopeRequest ? objective.reply!.requestedScopeAddition : [],
    reason: scopeRequest ? objective.reply!.reason : null,
    blockedBy: objective.state === 'blocked' ? objective.dependsOn.filter((dependency) => !landedIds.has(dependency)) : [],
    durationMs: elapsed(objective.startedAt, objective.finishedAt),
  };
}

function countOutcomes(objectives: readonly ReportedObjective[]): AccomplishmentReport['counts'] {
  const count = (test: (objective: ReportedObjective) => boolean): number => objectives.filter(test).length;
  return {
    total: objectives.length,
    landed: count((objective) => objective.landed),
    failed: count((objective) => objective.outcome === 'failed'),
    blocked: count((objective) => objective.outcome === 'blocked'),
    cancelled: count((objective) => objective.outcome === 'cancelled'),
    rolledBack: count((objective) => objective.outcome === 'rolled_back'),
    noChanges: count((objective) => objective.outcome === 'no_changes'),
    notMerged: count((objective) => objective.outcome === 'succeeded' && !objective.landed),
    unfinished: count((objective) => objective.outcome === 'pending' || objective.outcome === 'running'),
  };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function summarize(facts: RunFacts, objectives: readonly ReportedObjective[], counts: AccomplishmentReport['counts'], verify: AccomplishmentReport['verify']): string {
  const waveCount = facts.waves.length > 0 ? facts.waves.length : new Set(objectives.map((objective) => objective.wave)).size;
  const where = facts.mode === 'shared-tree' ? 'landed in the shared working tree' : facts.integrationBranch ? `merged into ${facts.integrationBranch}` : 'merged';
  let first = `${counts.landed} of ${plural(counts.total, 'objective')} ${where} in ${plural(waveCount, 'wave')}`;
  const violated = objectives.filter((objective) => objective.outcome === 'failed' && objective.violations.length > 0).length;
  const failedReason = violated === 0 ? '' : violated === counts.failed ? ` (${violated === 1 ? 'scope violation' : 'scope violations'})` : ` (${violated} by scope violation)`;
  const rest = [
    counts.failed > 0 ? `${counts.failed} failed${failedReason}` : '',
    counts.blocked > 0 ? `${counts.blocked} blocked` : '',
    counts.rolledBack > 0 ? `${counts.rolledBack} rolled back` : '',
    counts.noChanges > 0 ? `${counts.noChanges} changed no file` : '',
    counts.cancelled > 0 ? `${counts.cancelled} cancelled` : '',
    counts.notMerged > 0 ? `${counts.notMerged} succeeded but not merged` : '',
    counts.unfinished > 0 ? `${counts.unfinished} not finished` : '',
  ].filter(Boolean);
  if (rest.length > 0) first += `; ${rest.join(', ')}`;
  if (facts.status !== 'completed') first = `Run ${facts.status}: ${first}`;
  const failedWaves = verify.filter((result) => !result.passed);
  let second = 'No verify command ran.';
  if (verify.length > 0 && failedWaves.length === 0) second = 'Verify passed.';
  if (failedWaves.length > 0) {
    const waves = failedWaves.map((result) => `${result.wave}${result.rolledBack ? ' (rolled back)' : ''}`).join(', ');
    second = `Verify failed in wave${failedWaves.length === 1 ? '' : 's'} ${waves}.`;
  }
  return `${first}. ${second}`;
}

function howToApply(facts: RunFacts, landed: number): string | null {
  if (landed === 0) return null;
  if (facts.mode === 'shared-tree') return `The changes are already in the working tree at ${facts.repo}; there is no branch to merge. Review them before you commit.`;
  if (!facts.integrationBranch) return null;
  const from = facts.baseBranch ? `From \`${facts.baseBranch}\`` : `From the branch that should receive the changes (the run started at ${facts.baseCommit ?? 'a detached HEAD'})`;
  return `${from} in ${facts.repo}, run \`git merge ${facts.integrationBranch}\`.`;
}

/** The verify that describes the result: the last one whose wave was not rolled back. */
function resultVerify(verify: AccomplishmentReport['verify']): boolean | null {
  const standing = verify.filter((result) => !result.rolledBack);
  return standing.length === 0 ? null : standing[standing.length - 1]!.passed;
}

export function buildAccomplishmentReport(facts: RunFacts): AccomplishmentReport {
  const landedIds = new Set(facts.objectives.filter((objective) => hasLanded(objective.state, facts.mode)).map((objective) => objective.id));
  const objectives = facts.objectives.map((objective) => reportObjective(objective, landedIds, facts.mode));
  const counts = countOutcomes(objectives);
  const verify = facts.waves.flatMap((wave) =>
    wave.verify === null
      ? []
      : [{ wave: wave.wave, command: wave.verify.command, passed: wave.verify.passed, exitCode: wave.verify.exitCode, timedOut: wave.verify.timedOut, durationMs: wave.verify.durationMs, outputTail: wave.verify.outputTail, rolledBack: wave.status === 'rolled_back' }],
  );
  const landed = objectives.filter((objective) => objective.landed);
  const notes: string[] = [];
  if (facts.mode === 'shared-tree') notes.push(sharedTreeNote);
  if (facts.status === 'running') notes.push('The run is still running: this report is a snapshot.');
  for (const result of verify.filter((item) => item.rolledBack)) notes.push(`Wave ${result.wave} was rolled back after verify failed: its objectives are not in the result.`);
  if (facts.attempts.length > 0 && facts.attempts.every((attempt) => attempt.inputTokens === null && attempt.outputTokens === null && attempt.costUsd === null)) {
    notes.push('No worker reported token use or cost.');
  }
  const skipped = facts.attempts.filter((attempt) => (attempt.malformedLines ?? 0) > 0);
  if (skipped.length > 0) {
    const where = skipped.map((attempt) => `${attempt.objectiveId} (attempt ${attempt.attempt}, worker ${attempt.workerId}: ${attempt.malformedLines})`).join(', ');
    notes.push(`Some agent output lines were not events of the agent's stream and were skipped: ${where}.`);
  }
  return {
    runId: facts.runId,
    planId: facts.planId,
    repo: facts.repo,
    request: facts.request,
    taskType: facts.taskType,
    status: facts.status,
    mode: facts.mode,
    summary: summarize(facts, objectives, counts, verify),
    startedAt: facts.startedAt,
    finishedAt: facts.finishedAt,
    durationMs: elapsed(facts.startedAt, facts.finishedAt),
    integrationBranch: facts.integrationBranch,
    baseBranch: facts.baseBranch,
    baseCommit: facts.baseCommit,
    headCommit: facts.headCommit,
    howToApply: howToApply(facts, landed.length),
    counts,
    objectives,
    filesChanged: [...new Set(landed.flatMap((objective) => objective.files))].sort(byPlainOrder),
    verify,
    scopeViolations: objectives.flatMap((objective) => objective.violations.map((violation) => ({ objective: objective.id, ...violation }))),
    blocked: objectives.flatMap((objective, index) => {
      const askedForScope = facts.objectives[index]!.reply?.status === 'BLOCKED';
      if (objective.outcome !== 'blocked' && !askedForScope) return [];
      return [{ objective: objective.id, why: blockedWhy(objective, askedForScope), requestedScopeAddition: objective.requestedScopeAddition }];
    }),
    usage: {
      total: sumUsage(facts.attempts),
      objectives: facts.objectives.map((objective) => ({ objective: objective.id, ...sumUsage(facts.attempts.filter((attempt) => attempt.objectiveId === objective.id)) })),
    },
    notes,
    commitMessage: conventionalCommitMessage({
      taskType: facts.taskType,
      request: facts.request,
      // The commit describes what landed, whatever the mode called it.
      objectives: objectives.map((objective) => ({ id: objective.id, title: objective.title, state: objective.landed ? 'merged' : objective.outcome, files: objective.files })),
      verifyPassed: resultVerify(verify),
    }),
    markdownPath: accomplishmentMarkdownPath(facts.runId),
  };
}

function blockedWhy(objective: ReportedObjective, askedForScope: boolean): string {
  if (objective.blockedBy.length > 0) return `Waits on ${objective.blockedBy.join(', ')}, which did not merge.`;
  if (askedForScope) return `The worker asked for a wider scope: ${(objective.reason ?? 'no reason given').replace(/[\s.]+$/, '')}.`;
  return objective.error ?? 'Blocked.';
}
