import type { AnalysisReport } from '../analysis/types.js';

/** The request sent to the host's model (MCP sampling) when the caller gave no objectives. */
export function objectivesSamplingPrompt(analysis: AnalysisReport): string {
  const modules = analysis.modules.map((module) => `- ${module.name} (scope "${module.scope}", ${module.files} files, ${module.lines} lines)`).join('\n');
  const edges = analysis.importGraph.map((edge) => `- ${edge.from} imports ${edge.to} (${edge.imports})`).join('\n');
  return [
    `Split this request into objectives that coding agents can carry out in parallel.`,
    ``,
    `Request: ${analysis.request}`,
    `Task type: ${analysis.taskType}`,
    `Modules:\n${modules || '- (none)'}`,
    `Imports between modules:\n${edges || '- (none)'}`,
    `Affected modules: ${analysis.affectedModules.join(', ') || '(none)'}`,
    `Suggested strategy: ${analysis.scopeStrategy.summary}`,
    ``,
    `Answer with JSON only: {"objectives": [{"id": "kebab-case-id", "title": "...", "description": "...", "scopeTouch": ["src/x/"], "scopeRead": [], "dependsOn": [], "acceptance": ["..."]}]}.`,
    `Rules: scopeTouch lists repo-relative files, folders (trailing slash) or globs; objectives meant to run in parallel must not share paths; use dependsOn for objectives that need another's result.`,
  ].join('\n');
}

/** Pulls the objectives array out of a model's answer: bare JSON, or JSON inside a code fence. */
export function extractObjectivesJson(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  const candidate = (fenced ? fenced[1]! : text).trim();
  const start = candidate.search(/[[{]/);
  if (start === -1) throw new Error('the answer holds no JSON');
  const parsed: unknown = JSON.parse(candidate.slice(start));
  if (Array.isArray(parsed)) return parsed;
  if (parsed && typeof parsed === 'object' && Array.isArray((parsed as { objectives?: unknown }).objectives)) {
    return (parsed as { objectives: unknown[] }).objectives;
  }
  throw new Error('the JSON has no "objectives" array');
}
