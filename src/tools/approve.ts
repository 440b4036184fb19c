import { z } from 'zod';
import { withEffectiveForbid } from '../core/plan/build-plan.js';
import { coordinationPlanSchema, type CoordinationPlan } from '../core/plan/coordination-plan.js';
import { renderPlanMarkdown } from '../core/plan/plan-markdown.js';
import { writeRepoDocument } from '../store/repo-documents.js';
import { defineTool } from './tool.js';
import { repoHint } from './repo-hint.js';
import { summarizePlan } from './plan-summary.js';

export const approve = defineTool({
  schema: {
    name: 'approve',
    title: 'Approve a plan',
    description: 'Marks a draft plan as approved so `execute` may run it, and updates its PLAN markdown. Approving an approved plan changes nothing.',
    inputSchema: z.strictObject({
      planId: z.string().min(1).describe('The planId returned by `plan`.'),
      repo: repoHint('plan'),
    }),
    outputSchema: coordinationPlanSchema,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  },
  async handle(params, response, context) {
    const found = context.workspace.findPlan(params.planId, params.repo);
    const changed = found.store.plans.approve(params.planId, new Date().toISOString(), 'approve tool');
    const plan: CoordinationPlan = withEffectiveForbid(found.store.plans.get(params.planId)!);
    if (changed) await writeRepoDocument(found.repo, plan.markdownPath, renderPlanMarkdown(plan));
    response.setResult(plan, `${changed ? 'Approved.' : 'Already approved; nothing changed.'}\n${summarizePlan(plan)}`);
  },
});
