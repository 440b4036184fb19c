import type { AnalysisReport } from './types.js';

/** A table cell: pipes would split the cell, newlines would end the row. */
function cell(value: string | number): string {
  return String(value).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  return [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
}

function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function section(title: string, body: readonly string[], emptyText: string): string[] {
  return [`## ${title}`, '', ...(body.length > 0 ? body : [emptyText]), ''];
}

function quote(text: string): string[] {
  return text.split(/\r?\n/).map((line) => `> ${line}`);
}

/** The analysis as a document a person can read, saved next to the code it describes. */
export function renderAnalysisMarkdown(report: AnalysisReport): string {
  const { totals } = report;
  const lines: string[] = [
    `# Analysis ${report.analysisId}`,
    '',
    `- Repository: ${code(report.repo)}`,
    `- Created: ${report.createdAt}`,
    `- Git: ${report.isGitRepo ? `yes, branch ${report.branch ? code(report.branch) : '(detached or none)'}, HEAD ${report.headCommit ? code(report.headCommit) : '(no commits)'}` : 'no (changes cannot be isolated in worktrees)'}`,
    '',
    '## Request',
    '',
    ...quote(report.request),
    '',
    `**Task type:** ${report.taskType} (${report.taskTypeReason})`,
    '',
    ...section('Totals', table(['Files', 'Lines', 'Binary files', 'Symlinks', 'Unreadable files'], [[totals.files, totals.lines, totals.binaryFiles, totals.symlinks, totals.unreadableFiles]]), ''),
    ...section('Languages', report.languages.length > 0 ? table(['Language', 'Files', 'Lines'], report.languages.map((language) => [language.name, language.files, language.lines])) : [], 'No recognised languages.'),
    ...section('Manifests', report.manifests.map((manifest) => `- ${code(manifest.path)}: ${manifest.kind}${manifest.name ? ` (${code(manifest.name)})` : ''}`), 'No manifests found.'),
    ...section(
      'Modules',
      report.modules.length > 0
        ? table(['Module', 'Scope', 'Files', 'Lines', 'Languages'], report.modules.map((module) => [module.name, code(module.scope), module.files, module.lines, module.languages.join(', ')]))
        : [],
      'No modules found.',
    ),
    ...section('Entry points', report.entryPoints.map((entry) => `- ${code(entry.path)}: ${entry.reason}`), 'No entry points found.'),
    ...section('Test folders', report.testDirs.map((folder) => `- ${code(folder)}`), 'No test folders found.'),
    ...section('Import graph', report.importGraph.length > 0 ? table(['From', 'To', 'Imports'], report.importGraph.map((edge) => [edge.from, edge.to, edge.imports])) : [], 'No imports between modules.'),
    ...section('Affected modules', report.affectedModules.map((name) => `- ${name}`), 'None.'),
    ...section('Coordination points', report.coordinationPoints.map((point) => `- ${point.modules.join(' <-> ')}: ${point.description}`), 'None: the affected modules do not import each other.'),
    ...section(
      'Scope strategy',
      [report.scopeStrategy.summary, '', ...report.scopeStrategy.waves.map((wave, index) => `- Wave ${index + 1}: ${wave.join(', ')}`)],
      '',
    ),
    ...section('Warnings', report.warnings.map((warning) => `- ${warning}`), 'None.'),
  ];
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
