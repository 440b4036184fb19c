import { cell } from '../markdown.js';
import type { AccomplishmentReport } from './accomplishment-report-schema.js';

/** Bullet text: a newline in user text would end the bullet and start stray markdown. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function code(text: string): string {
  return text.includes('`') ? `\`\` ${oneLine(text)} \`\`` : `\`${oneLine(text)}\``;
}

/** A zero-width space between backticks keeps the text readable while no run of three can close the fence early. */
function fenced(text: string): string[] {
  const safe = text.replace(/`{3,}/g, (run) => run.split('').join('\u200b')).replace(/\s+$/, '');
  return ['```text', ...(safe ? [safe] : []), '```'];
}

function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  return [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
}

export function formatDuration(milliseconds: number | null): string {
  if (milliseconds === null) return '-';
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(milliseconds / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes} min ${totalSeconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const tokens = (value: number | null): string => (value === null ? '-' : value.toLocaleString('en-US'));
const dollars = (value: number | null): string => (value === null ? '-' : `$${value.toFixed(4)}`);

function header(report: AccomplishmentReport): string[] {
  return [
    `# Accomplishment report ${report.runId}`,
    '',
    report.summary,
    '',
    `- **Status:** ${report.status}`,
    `- **Request:** ${oneLine(report.request)}`,
    `- **Task type:** ${report.taskType}`,
    `- **Plan:** ${code(report.planId)}`,
    `- **Repository:** ${code(report.repo)}`,
    `- **Mode:** ${report.mode}`,
    `- **Started:** ${report.startedAt}; **finished:** ${report.finishedAt ?? 'not yet'}; **duration:** ${formatDuration(report.durationMs)}`,
    '',
    '## Branch and how to apply',
    '',
    `- **Integration branch:** ${report.integrationBranch ? code(report.integrationBranch) : '(none)'}${report.headCommit ? ` at ${code(report.headCommit)}` : ''}`,
    `- **Base:** ${report.baseBranch ? code(report.baseBranch) : '(no branch)'}${report.baseCommit ? ` at ${code(report.baseCommit)}` : ''}`,
    `- **How to apply:** ${report.howToApply ?? 'nothing to apply: no objective merged.'}`,
    ...(report.notes.length > 0 ? ['', '## Notes', '', ...report.notes.map((note) => `- ${oneLine(note)}`)] : []),
  ];
}

function objectiveSection(report: AccomplishmentReport): string[] {
  const rows = report.objectives.map((objective) => [
    objective.id,
    objective.title,
    objective.wave,
    objective.outcome,
    objective.worker ?? '-',
    objective.attempts,
    objective.files.length,
    objective.testStatus ?? '-',
    formatDuration(objective.durationMs),
  ]);
  const lines = ['', '## Objectives', '', ...table(['Objective', 'Title', 'Wave', 'Outcome', 'Worker', 'Attempts', 'Files', 'Tests', 'Duration'], rows)];
  for (const objective of report.objectives) {
    if (objective.changeSummary.length === 0 && objective.error === null) continue;
    lines.push('', `### ${oneLine(objective.id)}: ${oneLine(objective.title)}`, '');
    lines.push(...objective.changeSummary.map((item) => `- ${oneLine(item)}`));
    if (objective.error !== null) lines.push(`- **Error:** ${oneLine(objective.error)}`);
  }
  return lines;
}

function verifySection(report: AccomplishmentReport): string[] {
  if (report.verify.length === 0) return ['', '## Verify', '', 'No verify command ran.'];
  const lines = ['', '## Verify'];
  for (const result of report.verify) {
    const outcome = result.passed ? 'passed' : result.timedOut ? 'timed out' : 'failed';
    lines.push('', `### Wave ${result.wave}: ${outcome}${result.rolledBack ? ', rolled back' : ''}`, '');
    lines.push(`- **Command:** ${code(result.command)}`, `- **Exit code:** ${result.exitCode ?? '-'}; **duration:** ${formatDuration(result.durationMs)}`, '');
    lines.push(...fenced(result.outputTail));
  }
  return lines;
}

function problemSections(report: AccomplishmentReport): string[] {
  const lines = ['', '## Scope violations', ''];
  if (report.scopeViolations.length === 0) lines.push('None.');
  else lines.push(...table(['Objective', 'File', 'Reason', 'Entry'], report.scopeViolations.map((violation) => [violation.objective, violation.file, violation.reason, violation.entry ?? '-'])));
  lines.push('', '## Blocked objectives and scope requests', '');
  if (report.blocked.length === 0) lines.push('None.');
  for (const blocked of report.blocked) {
    const requested = blocked.requestedScopeAddition.length > 0 ? ` Requested scope: ${blocked.requestedScopeAddition.map(code).join(', ')}.` : '';
    lines.push(`- **${oneLine(blocked.objective)}:** ${oneLine(blocked.why)}${requested}`);
  }
  return lines;
}

function usageSection(report: AccomplishmentReport): string[] {
  const { total } = report.usage;
  const rows = report.usage.objectives.map((usage) => [usage.objective, tokens(usage.inputTokens), tokens(usage.outputTokens), dollars(usage.costUsd)]);
  rows.push(['**Total**', tokens(total.inputTokens), tokens(total.outputTokens), dollars(total.costUsd)]);
  return ['', '## Token use and cost', '', ...table(['Objective', 'Input tokens', 'Output tokens', 'Cost (USD)'], rows)];
}

/** The report as a document a person can read, saved as docs/accomplishments/ACCOMPLISHMENT_<runId>.md. */
export function renderAccomplishmentMarkdown(report: AccomplishmentReport): string {
  const files = report.filesChanged.length > 0 ? report.filesChanged.map((file) => `- ${code(file)}`) : ['None.'];
  const lines = [
    ...header(report),
    ...objectiveSection(report),
    '',
    '## Files changed',
    '',
    ...files,
    ...verifySection(report),
    ...problemSections(report),
    ...usageSection(report),
    '',
    '## Commit message',
    '',
    ...fenced(report.commitMessage),
  ];
  return `${lines.join('\n')}\n`;
}
