import { z } from 'zod';
import { listRepoFiles } from '../core/analysis/repo-files.js';
import type { AnalysisReport } from '../core/analysis/types.js';
import { InputError } from '../core/errors/input-error.js';
import { newId } from '../core/ids.js';
import { buildPlan, withEffectiveForbid } from '../core/plan/build-plan.js';
import { coordinationPlanSchema, type CoordinationPlan } from '../core/plan/coordination-plan.js';
import { objectiveInputSchema, type Objective, type ObjectiveInput } from '../core/plan/objective-schema.js';
import type { PlanProblem } from '../core/plan/plan-problem.js';
import { renderPlanMarkdown } from '../core/plan/plan-markdown.js';
import { proposeObjectives } from '../core/plan/propose-objectives.js';
import { extractObjectivesJson, objectivesSamplingPrompt } from '../core/plan/sampled-objectives.js';
import { repoPathsFromListing } from '../core/scope/repo-paths.js';
import { writeRepoDocument } from '../store/repo-documents.js';
import { problemsFromZod } from './input-problems.js';
import { defineTool, type ToolContext } from './tool.js';
import { repoHint } from './repo-hint.js';
import { summarizePlan } from './plan-summary.js';

export const plan = defineTool({
  schema: {
    name: 'plan',
    title: 'Plan objectives in waves',
    description:
      'Turns an analysis into a CoordinationPlan: validates the objectives, orders them by dependsOn, and assigns waves so that objectives in one wave never have overlapping scopeTouch (a colliding objective moves to a later wave and the plan says why). Derives each objective\'s effective SCOPE_FORBID and the integration contracts, and saves docs/plans/PLAN_<id>.md. Without objectives, asks the host model to propose them (MCP sampling) or splits the work one objective per affected module. The plan starts as a draft: pass approve=true, or call `approve`, before `execute`.',
    inputSchema: z.strictObject({
      analysisId: z.string().min(1).describe('The analysisId returned by `analyze`.'),
      objectives: z.array(objectiveInputSchema.strict()).optional().describe('The objectives. Leave out to have them proposed.'),
      approve: z.boolean().default(false).describe('Approve the plan right away (execution needs an approved plan).'),
      repo: repoHint('analysis'),
    }),
    outputSchema: coordinationPlanSchema,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  },
  async handle(params, response, context) {
    const { repo, config, store, analysis } = context.workspace.findAnalysis(params.analysisId, params.repo);
    const proposal = params.objectives ? { objectives: params.objectives, source: 'caller' as const, problems: [] } : await proposeFor(analysis, context);

    const listing = await listRepoFiles(repo);
    const layout = buildPlan({ objectives: proposal.objectives, repo: repoPathsFromListing(listing), globalForbid: config.globalForbid, analysis });
    const problems = [...proposal.problems, ...layout.problems];
    const errors = problems.filter((problem) => problem.severity === 'error');
    if (errors.length > 0) throw new InputError(errors);

    const planId = newId('plan');
    const createdAt = new Date().toISOString();
    const approved = params.approve || config.autoApprove;
    const result: CoordinationPlan = withEffectiveForbid({
      planId,
      analysisId: analysis.analysisId,
      repo,
      request: analysis.request,
      taskType: analysis.taskType,
      status: approved ? ('approved' as const) : ('draft' as const),
      source: proposal.source,
      createdAt,
      approvedAt: approved ? createdAt : null,
      globalForbid: layout.globalForbid,
      waves: layout.waves,
      objectives: layout.objectives,
      moves: layout.moves,
      contracts: layout.contracts,
      problems,
      markdownPath: `docs/plans/PLAN_${planId}.md`,
    });
    await writeRepoDocument(repo, result.markdownPath, renderPlanMarkdown(result));
    store.plans.insert(result);
    response.setResult(result, summarizePlan(result));
  },
});

interface Proposal {
  objectives: Objective[];
  source: CoordinationPlan['source'];
  problems: PlanProblem[];
}

async function proposeFor(analysis: AnalysisReport, context: ToolContext): Promise<Proposal> {
  const problems: PlanProblem[] = [];
  if (context.host.sample) {
    try {
      const answer = await context.host.sample(objectivesSamplingPrompt(analysis), { maxTokens: 4000 });
      const parsed = z.array(objectiveInputSchema).safeParse(extractObjectivesJson(answer));
      if (parsed.success && parsed.data.length > 0) return { objectives: parsed.data, source: 'sampling', problems };
      const reason = parsed.success ? 'it proposed no objectives' : new InputError(problemsFromZod(parsed.error, { objectives: extractObjectivesJson(answer) })).message;
      problems.push(samplingWarning(`The host model's objectives were unusable (${reason}).`));
    } catch (error) {
      problems.push(samplingWarning(`Asking the host model for objectives failed: ${(error as Error).message}.`));
    }
  }
  const proposed: ObjectiveInput[] = proposeObjectives(analysis);
  if (proposed.length === 0) {
    throw new InputError([{ field: 'objectives', message: 'The analysis found no modules to split the work over.', fix: 'Pass objectives explicitly, each with a scopeTouch.' }]);
  }
  return { objectives: proposed.map((objective) => objectiveInputSchema.parse(objective)), source: 'proposed', problems };
}

function samplingWarning(message: string): PlanProblem {
  return { severity: 'warning', field: 'objectives', message, fix: 'The deterministic split was used instead; pass objectives explicitly for a better plan.' };
}
