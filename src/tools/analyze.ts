import { z } from 'zod';
import { analyzeRepository } from '../core/analysis/analyze-repository.js';
import { renderAnalysisMarkdown } from '../core/analysis/analysis-markdown.js';
import { analysisReportSchema, type AnalysisReport } from '../core/analysis/types.js';
import { newId } from '../core/ids.js';
import { writeRepoDocument } from '../store/repo-documents.js';
import { defineTool } from './tool.js';

export const analyze = defineTool({
  schema: {
    name: 'analyze',
    title: 'Analyze a codebase for a request',
    description:
      'Scans a repository (languages, manifests, modules with file and line counts, entry points, test folders, the import graph between modules) and reads the request (task type, affected modules, coordination points, which modules can change in parallel). Saves docs/analyses/ANALYSIS_<id>.md in the repository. Call this first; pass the returned analysisId to `plan`.',
    inputSchema: z.strictObject({
      repo: z.string().optional().describe('Absolute path of the repository to analyze. Defaults to the folder the server was started in (or its --repo).'),
      request: z.string().min(1).describe('What the owner wants done, in their words, e.g. "Add JWT login to auth and show the user in the UI".'),
    }),
    outputSchema: analysisReportSchema,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  },
  async handle(params, response, context) {
    const { repo, store } = context.workspace.repository(params.repo);
    const analysisId = newId('an');
    await context.host.progress(0, 2, `Scanning ${repo}`);
    const scanned = await analyzeRepository({ repo, request: params.request, analysisId, createdAt: new Date().toISOString() });
    const report: AnalysisReport = { ...scanned, markdownPath: `docs/analyses/ANALYSIS_${analysisId}.md` };
    await writeRepoDocument(repo, report.markdownPath, renderAnalysisMarkdown(report));
    store.analyses.insert(report);
    await context.host.progress(2, 2, 'Analysis saved');
    response.setResult(report, summarize(report));
  },
});

function summarize(report: AnalysisReport): string {
  const modules = report.modules.map((module) => `${module.name} (${module.files} files)`).join(', ') || 'none';
  return [
    `Analysis ${report.analysisId} of ${report.repo}: ${report.totals.files} files, ${report.totals.lines} lines.`,
    `Task type: ${report.taskType} (${report.taskTypeReason}).`,
    `Modules: ${modules}.`,
    `Affected: ${report.affectedModules.join(', ') || 'none'}. Strategy: ${report.scopeStrategy.summary}.`,
    report.coordinationPoints.length > 0 ? `Coordination points: ${report.coordinationPoints.map((point) => point.description).join('; ')}.` : '',
    report.warnings.length > 0 ? `Warnings: ${report.warnings.slice(0, 5).join('; ')}${report.warnings.length > 5 ? ` and ${report.warnings.length - 5} more` : ''}.` : '',
    `Saved ${report.markdownPath}. Next: call \`plan\` with analysisId "${report.analysisId}" and your objectives (or none to have them proposed).`,
  ]
    .filter(Boolean)
    .join('\n');
}
