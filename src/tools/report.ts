import { describeViolation } from '../core/scope/check-changes.js';
import { z } from 'zod';
import { accomplishmentReportSchema, buildAccomplishmentReport, type AccomplishmentReport } from '../core/report/accomplishment-report.js';
import { withEffectiveForbid } from '../core/plan/build-plan.js';
import type { CoordinationPlan } from '../core/plan/coordination-plan.js';
import { runFacts } from '../run/finalize-run.js';
import { defineTool } from './tool.js';
import { repoHint } from './repo-hint.js';

export const report = defineTool({
  schema: {
    name: 'report',
    title: 'Report what a run accomplished',
    description:
      'Returns the AccomplishmentReport of a run: summary, each objective\'s outcome, files changed per objective (from git), verify results, scope violations, blocked objectives and scope requests, token use and cost where workers reported them, the integration branch and how to apply it, and a Conventional Commit message. A finished run\'s report is also saved as docs/accomplishments/ACCOMPLISHMENT_<runId>.md; a running run gets a report of its progress so far.',
    inputSchema: z.strictObject({
      runId: z.string().min(1).describe('The run to report on.'),
      repo: repoHint('run'),
    }),
    outputSchema: accomplishmentReportSchema.extend({ markdownPath: z.string().nullable().describe('Repo-relative path of the saved report (null while the run is still going).') }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  },
  async handle(params, response, context) {
    const found = context.workspace.findRun(params.runId, params.repo);
    const saved = found.store.runs.report<AccomplishmentReport>(params.runId);
    let result: AccomplishmentReport;
    if (saved && found.run.status !== 'running') result = saved;
    else {
      const plan = withEffectiveForbid(found.store.plans.get(found.run.planId)!) as CoordinationPlan;
      result = buildAccomplishmentReport(runFacts({ store: found.store, runId: params.runId, plan }, found.run.status, null));
    }
    const markdownPath = saved ? `docs/accomplishments/ACCOMPLISHMENT_${params.runId}.md` : null;
    const violations = result.scopeViolations.map((violation) => `- ${violation.objective}: ${describeViolation({ ...violation, entry: violation.entry ?? undefined })} (not merged)`);
    const violationText = violations.length > 0 ? `\n\nScope violations:\n${violations.join('\n')}` : '';
    response.setResult({ ...result, markdownPath }, `${result.summary}${violationText}\n\nCommit message:\n${result.commitMessage}${markdownPath ? `\n\nSaved ${markdownPath}.` : ''}`);
  },
});
