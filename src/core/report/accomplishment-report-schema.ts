import { z } from 'zod';
import { taskTypeSchema } from '../analysis/types.js';
import { runStatuses, type ObjectiveState, type RunMode } from '../../store/run-records.js';

// `satisfies` plus assigning ObjectiveState to the enum below makes the compiler catch a state added on one side only.
const objectiveStates = ['pending', 'running', 'succeeded', 'merged', 'no_changes', 'failed', 'blocked', 'cancelled', 'rolled_back'] as const satisfies readonly ObjectiveState[];
const runModes = ['worktree', 'shared-tree'] as const satisfies readonly RunMode[];

const usageFields = {
  inputTokens: z.number().nullable().describe('Input tokens the workers reported, summed over attempts; null when no worker reported any.'),
  outputTokens: z.number().nullable().describe('Output tokens the workers reported, summed over attempts; null when no worker reported any.'),
  costUsd: z.number().nullable().describe('Cost in US dollars the workers reported, summed over attempts; null when no worker reported any.'),
};
const violationReasonSchema = z.enum(['outside_touch', 'forbidden']).describe('`outside_touch`: the file is not in SCOPE_TOUCH; `forbidden`: it is in SCOPE_FORBID.');

const reportedObjectiveSchema = z.object({
  id: z.string().describe('Objective id from the plan.'),
  title: z.string().describe('Objective title from the plan.'),
  wave: z.number().int().describe('Wave the objective ran in.'),
  outcome: z.enum(objectiveStates).describe('Final state: `merged` is the only one whose changes reached the integration branch (in shared-tree mode `succeeded` changes stay in the tree).'),
  landed: z.boolean().describe('Whether the changes are in the result: merged into the integration branch, or left in the working tree in shared-tree mode.'),
  worker: z.string().nullable().describe('Worker that ran the last attempt, or null if none ran.'),
  attempts: z.number().int().describe('Attempts made (retries go to another eligible worker).'),
  files: z.array(z.string()).describe('Files the objective changed, repo-relative, from git (or snapshots in shared-tree mode), never from the plan.'),
  violations: z
    .array(z.object({ file: z.string().describe('Repo-relative file.'), reason: violationReasonSchema, entry: z.string().nullable().describe('Scope entry involved, when one is known.') }))
    .describe('Files changed outside the objective scope.'),
  error: z.string().nullable().describe('Why the objective did not succeed, or null.'),
  testStatus: z.string().nullable().describe("The worker's own Test Status line, or null when it gave none."),
  changeSummary: z.array(z.string()).describe("The worker's Change Summary bullets."),
  requestedScopeAddition: z.array(z.string()).describe('Scope entries the worker asked for when it replied BLOCKED; empty otherwise.'),
  reason: z.string().nullable().describe('Why the worker asked for more scope, or null.'),
  blockedBy: z.array(z.string()).describe('Dependencies that did not merge, when the objective was blocked by them; empty otherwise.'),
  durationMs: z.number().nullable().describe('Wall time from start to finish, or null when it did not both start and finish.'),
});

export const accomplishmentReportSchema = z.object({
  runId: z.string().describe('Id of the run.'),
  planId: z.string().describe('Plan the run executed.'),
  repo: z.string().describe('Absolute path of the target repository.'),
  request: z.string().describe('The original request.'),
  taskType: taskTypeSchema,
  status: z.enum(runStatuses).describe('Run status when the report was made; `running` means this is a snapshot.'),
  mode: z.enum(runModes).describe('`worktree`: each objective isolated on its own branch; `shared-tree`: the target is not a git repository and objectives shared one tree.'),
  summary: z.string().describe('One or two sentences: what merged, what did not, and whether verify passed.'),
  startedAt: z.string().describe('ISO timestamp the run started.'),
  finishedAt: z.string().nullable().describe('ISO timestamp the run finished, or null while it runs.'),
  durationMs: z.number().nullable().describe('Run wall time, or null while it runs.'),
  integrationBranch: z.string().nullable().describe('Branch holding the merged result (`ap/<runId>`), or null in shared-tree mode.'),
  baseBranch: z.string().nullable().describe('Branch the run started from, or null (detached HEAD, non-git).'),
  baseCommit: z.string().nullable().describe('Commit the run started from.'),
  headCommit: z.string().nullable().describe('Head of the integration branch when the report was made.'),
  howToApply: z.string().nullable().describe('How to bring the result into your branch, or null when nothing merged.'),
  counts: z
    .object({
      total: z.number().int().describe('Objectives in the run.'),
      landed: z.number().int().describe('Objectives whose changes are in the result.'),
      failed: z.number().int().describe('Objectives that failed (including scope violations).'),
      blocked: z.number().int().describe('Objectives blocked by a dependency or by a scope request.'),
      cancelled: z.number().int().describe('Objectives cancelled.'),
      rolledBack: z.number().int().describe('Objectives whose wave was rolled back after a failed verify.'),
      noChanges: z.number().int().describe('Objectives whose worker said it was done but changed no file: nothing was merged for them.'),
      notMerged: z.number().int().describe('Objectives that succeeded but were not merged (the run stopped first).'),
      unfinished: z.number().int().describe('Objectives still pending or running.'),
    })
    .describe('Objective counts by outcome.'),
  objectives: z.array(reportedObjectiveSchema).describe('Every objective of the run with its outcome, in plan order.'),
  filesChanged: z.array(z.string()).describe('Files changed by objectives that landed, sorted; other objectives do not count.'),
  verify: z
    .array(
      z.object({
        wave: z.number().int().describe('Wave verified.'),
        command: z.string().describe('Verify command run on the integration branch.'),
        passed: z.boolean().describe('Whether it exited 0 in time.'),
        exitCode: z.number().int().nullable().describe('Exit code, or null when it was killed or timed out.'),
        timedOut: z.boolean().describe('Whether it ran out of time.'),
        durationMs: z.number().describe('How long it ran.'),
        outputTail: z.string().describe('Last lines of its output.'),
        rolledBack: z.boolean().describe('Whether the wave was rolled back because of it.'),
      }),
    )
    .describe('Verify results per wave that ran one.'),
  scopeViolations: z
    .array(
      z.object({
        objective: z.string().describe('Objective that changed the file.'),
        file: z.string().describe('Repo-relative file.'),
        reason: violationReasonSchema,
        entry: z.string().nullable().describe('Scope entry involved, when one is known.'),
      }),
    )
    .describe('Every file changed outside its objective scope.'),
  blocked: z
    .array(
      z.object({
        objective: z.string().describe('Blocked objective.'),
        why: z.string().describe('What blocked it.'),
        requestedScopeAddition: z.array(z.string()).describe('Scope entries the worker asked for; empty when a dependency blocked it.'),
      }),
    )
    .describe('Blocked objectives and the scope requests to decide on.'),
  usage: z
    .object({
      total: z.object(usageFields).describe('Sum over every attempt of the run.'),
      objectives: z.array(z.object({ objective: z.string().describe('Objective id.'), ...usageFields })).describe('Sums per objective.'),
    })
    .describe('Token use and cost where workers report them.'),
  notes: z.array(z.string()).describe('Caveats a reader should know, e.g. that shared-tree mode could not isolate changes.'),
  commitMessage: z.string().describe('Conventional Commit message for the merged result; the subject is at most 72 characters and never cut mid-word.'),
  markdownPath: z.string().describe('Repo-relative path of the saved ACCOMPLISHMENT markdown.'),
});
export type AccomplishmentReport = z.infer<typeof accomplishmentReportSchema>;
export type ReportedObjective = z.infer<typeof reportedObjectiveSchema>;
export type Usage = AccomplishmentReport['usage']['total'];
