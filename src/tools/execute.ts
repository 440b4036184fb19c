import { z } from 'zod';
import { ApError } from '../core/errors/ap-error.js';
import { InputError } from '../core/errors/input-error.js';
import { runStatusSchema, runStatusSnapshot, summarizeStatus } from '../run/run-status.js';
import { defineTool, type ToolContext } from './tool.js';
import { repoHint } from './repo-hint.js';

const maxWaitSeconds = 50;

export const execute = defineTool({
  schema: {
    name: 'execute',
    title: 'Execute an approved plan',
    description:
      'Starts running an approved plan in the background and returns its runId at once: each wave\'s objectives run in parallel on the team\'s workers, each in its own git worktree and branch; changed files are checked against the scopes, verified branches are merged into ap/<runId>, the verify command runs, and the next wave starts. The user\'s checkout and branch are not touched. Follow it with `status` (long-polls), stop it with `cancel`, read the outcome with `report`. With resume=true and a runId, continues an interrupted run from its first unfinished wave.',
    inputSchema: z.strictObject({
      planId: z.string().optional().describe('The approved plan to run.'),
      runId: z.string().optional().describe('With resume=true: the interrupted run to continue.'),
      resume: z.boolean().default(false).describe('Continue the run named by runId instead of starting a new one.'),
      team: z.string().optional().describe('Path of a team.json to use for this run instead of the repository\'s.'),
      wait: z.number().min(0).max(maxWaitSeconds).default(0).describe(`Seconds to wait for the run to finish before answering (at most ${maxWaitSeconds}); progress notifications are sent meanwhile when the call has a progress token.`),
      repo: repoHint('plan or run'),
    }),
    outputSchema: runStatusSchema.extend({
      warnings: z.array(z.string()).describe('Things to know about this run (e.g. shared-tree mode).'),
      dashboardUrl: z.string().nullable().describe('Open this URL (it carries the access token) to watch the run live.'),
    }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  },
  async handle(params, response, context) {
    const started = params.resume ? await resumeRun(params, context) : await startRun(params, context);
    const repository = context.workspace.findRun(started.run.id, started.run.repo);
    if (params.wait > 0) await waitWithProgress(context, repository, started.run.id, params.wait);
    const status = runStatusSnapshot(repository, started.run.id);
    response.setResult(
      { ...status, warnings: started.warnings, dashboardUrl: context.dashboardUrl ?? null },
      [
        `${params.resume ? 'Resumed' : 'Started'} run ${status.runId} of plan ${status.planId} in ${status.mode} mode${status.integrationBranch ? `; results merge into ${status.integrationBranch}` : ''}.`,
        context.dashboardUrl ? `Watch it live: ${context.dashboardUrl}` : '',
        ...started.warnings,
        summarizeStatus(status),
        status.status === 'running' ? `Next: \`status\` with runId "${status.runId}" and waitSeconds to follow it, then \`report\`.` : `Next: \`report\` with runId "${status.runId}".`,
      ]
        .filter(Boolean)
        .join('\n'),
    );
  },
});

async function startRun(params: { planId?: string; runId?: string; team?: string; repo?: string }, context: ToolContext) {
  if (!params.planId) {
    throw new InputError([{ field: 'planId', message: 'No planId given.', fix: 'Pass the planId of an approved plan, or runId with resume=true to continue a run.' }]);
  }
  const found = context.workspace.findPlan(params.planId, params.repo);
  if (found.plan.status === 'draft' && context.host.confirm) {
    // The host can ask its user: an explicit yes approves the plan.
    const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
    const yes = await context.host.confirm(
      `Approve and run plan ${params.planId}: ${count(found.plan.objectives.length, 'objective')} in ${count(found.plan.waves.length, 'wave')} for "${found.plan.request}"?`,
    );
    if (!yes) throw new ApError('plan_not_approved', `Plan "${params.planId}" was not approved, so it was not run.`);
    found.store.plans.approve(params.planId, new Date().toISOString(), 'elicitation');
  }
  return context.runs.start({ planId: params.planId, repo: params.repo, teamFile: params.team });
}

async function resumeRun(params: { runId?: string; repo?: string }, context: ToolContext) {
  if (!params.runId) throw new InputError([{ field: 'runId', message: 'resume=true needs a runId.', fix: 'Pass the runId of the interrupted run.' }]);
  return context.runs.resume(params.runId, params.repo);
}

async function waitWithProgress(context: ToolContext, repository: ReturnType<ToolContext['workspace']['findRun']>, runId: string, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let seq = repository.bus.lastSeq;
  while (Date.now() < deadline && context.runs.isActive(runId) && !context.signal.aborted) {
    const event = await repository.bus.waitForEvent(runId, seq, Math.max(0, deadline - Date.now()), context.signal);
    if (!event) break;
    seq = event.seq;
    if (event.type === 'objective_finished' || event.type === 'wave_started' || event.type === 'run_finished') {
      const status = runStatusSnapshot(repository, runId);
      const done = status.progress.total - status.progress.pending - status.progress.running;
      await context.host.progress(done, status.progress.total, `${event.type.replace('_', ' ')}: ${String(event.payload.objective_id ?? event.payload.wave ?? event.payload.status ?? '')}`);
    }
  }
}
