import type { AccomplishmentReport } from './accomplishment-report-schema.js';

export interface AgentsSessionEntry {
  runId: string;
  /** YYYY-MM-DD. */
  date: string;
  request: string;
  summary: string;
  objectives: { id: string; outcome: string }[];
  learnings: string[];
}

export interface OwnedSection {
  id: string;
  title: string;
  body: string;
}

export interface OwnedSectionResult {
  content: string;
  changed: boolean;
  /** Why the file was left alone, when it was. */
  problem?: string;
}

export interface DocumentationPlan {
  agents: AgentsSessionEntry;
  readme: OwnedSection | null;
  prd: OwnedSection | null;
}

const sessionsHeading = /^# Recent Sessions[ \t]*(?=\r?$)/im;

const agentsMarkers = (runId: string): Markers => ({ start: `<!-- ap-session:${runId}:start -->`, end: `<!-- ap-session:${runId}:end -->` });
const sectionMarkers = (id: string): Markers => ({ start: `<!-- ap-orchestrator:${id}:start -->`, end: `<!-- ap-orchestrator:${id}:end -->` });

interface Markers {
  start: string;
  end: string;
}

type MarkerSearch =
  | { kind: 'absent' }
  /** `outerStart`/`outerEnd` include the markers; `innerStart`/`innerEnd` are the text between them. */
  | { kind: 'found'; outerStart: number; innerStart: number; innerEnd: number; outerEnd: number }
  | { kind: 'unbalanced'; problem: string };

function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  for (let index = text.indexOf(needle); index >= 0; index = text.indexOf(needle, index + needle.length)) found.push(index);
  return found;
}

/** Only one start followed by one end is ours to edit: anything else may be someone's hand edit, and guessing could eat their text. */
function findMarked(text: string, markers: Markers): MarkerSearch {
  const starts = occurrences(text, markers.start);
  const ends = occurrences(text, markers.end);
  if (starts.length === 0 && ends.length === 0) return { kind: 'absent' };
  const [start] = starts;
  const [end] = ends;
  if (starts.length === 1 && ends.length === 1 && start !== undefined && end !== undefined && end > start) {
    return { kind: 'found', outerStart: start, innerStart: start + markers.start.length, innerEnd: end, outerEnd: end + markers.end.length };
  }
  const fix = 'Leave exactly one start marker followed by one end marker, or delete both to let ap-orchestrator recreate the section.';
  if (ends.length === 0) return { kind: 'unbalanced', problem: `\`${markers.start}\` has no matching \`${markers.end}\`; the file was left unchanged. ${fix}` };
  if (starts.length === 0) return { kind: 'unbalanced', problem: `\`${markers.end}\` has no matching \`${markers.start}\`; the file was left unchanged. ${fix}` };
  return { kind: 'unbalanced', problem: `The markers \`${markers.start}\` (${starts.length}) and \`${markers.end}\` (${ends.length}) are duplicated or out of order; the file was left unchanged. ${fix}` };
}

/** User text must not be able to forge a marker and move the boundary of what the tool owns. */
function neutralizeMarkers(text: string): string {
  return text.replace(/<!--(\s*)ap-/g, '&lt;!--$1ap-');
}

function oneLine(text: string): string {
  return neutralizeMarkers(text.replace(/\s+/g, ' ').trim());
}

function lineEnding(existing: string | null): string {
  return existing?.includes('\r\n') ? '\r\n' : '\n';
}

/** What goes between existing text and an appended block: one blank line, no more. */
function separatorAfter(text: string, eol: string): string {
  if (text === '' || text.endsWith(eol + eol)) return '';
  return text.endsWith('\n') ? eol : eol + eol;
}

function sessionBlock(entry: AgentsSessionEntry, eol: string): string {
  const markers = agentsMarkers(entry.runId);
  const lines = [
    markers.start,
    `## ${oneLine(entry.date)}: ${oneLine(entry.runId)}`,
    '',
    `**Request:** ${oneLine(entry.request)}`,
    '',
    `**Summary:** ${oneLine(entry.summary)}`,
    '',
    '**Objectives:**',
    ...(entry.objectives.length > 0 ? entry.objectives.map((objective) => `- ${oneLine(objective.id)}: ${oneLine(objective.outcome)}`) : ['- none']),
  ];
  if (entry.learnings.length > 0) lines.push('', '**Learnings:**', ...entry.learnings.map((learning) => `- ${oneLine(learning)}`));
  lines.push(markers.end);
  return lines.join(eol);
}

/**
 * Puts the run's entry under `# Recent Sessions`, newest first. A second call for the same run
 * replaces the entry in place. When the run's markers are unbalanced the text is returned as it was.
 */
export function upsertAgentsSession(existing: string | null, entry: AgentsSessionEntry): string {
  const eol = lineEnding(existing);
  const block = sessionBlock(entry, eol);
  if (existing === null) return `# Recent Sessions${eol}${eol}${block}${eol}`;
  const marked = findMarked(existing, agentsMarkers(entry.runId));
  if (marked.kind === 'unbalanced') return existing;
  if (marked.kind === 'found') return existing.slice(0, marked.outerStart) + block + existing.slice(marked.outerEnd);
  const heading = sessionsHeading.exec(existing);
  if (heading === null) return `${existing}${separatorAfter(existing, eol)}# Recent Sessions${eol}${eol}${block}${eol}`;
  const insertAt = heading.index + heading[0].length;
  const rest = existing.slice(insertAt);
  return `${existing.slice(0, insertAt)}${eol}${eol}${block}${rest === '' ? eol : ''}${rest}`;
}

function sectionInside(section: OwnedSection, eol: string): string {
  const body = neutralizeMarkers(section.body).replace(/\r?\n/g, eol).replace(/\s+$/, '');
  return `${eol}## ${oneLine(section.title)}${eol}${body ? `${eol}${body}${eol}` : ''}`;
}

/** Edits only the text between the section's markers; creates the section at the end when it is missing. */
export function upsertOwnedSection(existing: string | null, section: OwnedSection): OwnedSectionResult {
  const eol = lineEnding(existing);
  const markers = sectionMarkers(section.id);
  const inside = sectionInside(section, eol);
  if (existing === null) return { content: `${markers.start}${inside}${markers.end}${eol}`, changed: true };
  const marked = findMarked(existing, markers);
  if (marked.kind === 'unbalanced') return { content: existing, changed: false, problem: marked.problem };
  const content =
    marked.kind === 'found'
      ? existing.slice(0, marked.innerStart) + inside + existing.slice(marked.innerEnd)
      : `${existing}${separatorAfter(existing, eol)}${markers.start}${inside}${markers.end}${eol}`;
  return { content, changed: content !== existing };
}

/** Bullets already in the section, so a run adds to what earlier runs listed instead of replacing it. */
function existingBullets(content: string | null, id: string): string[] {
  if (content === null) return [];
  const marked = findMarked(content, sectionMarkers(id));
  if (marked.kind !== 'found') return [];
  return content
    .slice(marked.innerStart, marked.innerEnd)
    .split(/\r?\n/)
    .flatMap((line) => /^\s*[-*]\s+(.+?)\s*$/.exec(line)?.[1] ?? []);
}

function accumulate(previous: readonly string[], added: readonly string[], key: (item: string) => string): string {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const item of [...previous, ...added]) {
    if (seen.has(key(item))) continue;
    seen.add(key(item));
    kept.push(item);
  }
  return kept.map((item) => `- ${item}`).join('\n');
}

const plainKey = (item: string): string => item.replace(/\s+/g, ' ').trim().toLowerCase();
/** The same requirement asked again in a later run is still one requirement. */
const requirementKey = (item: string): string => plainKey(item.replace(/\s*\(run [^)]*\)\s*$/, ''));

function shorten(text: string, limit = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > limit ? `${line.slice(0, limit - 1)}\u2026` : line;
}

/** What a future agent working in this repository should know from this run. */
function learningsOf(report: AccomplishmentReport): string[] {
  const learnings: string[] = [];
  if (report.mode === 'shared-tree') learnings.push('The target is not a git repository: objectives share one tree and scope violations cannot be isolated.');
  for (const violation of report.scopeViolations) {
    learnings.push(`${violation.objective} changed ${violation.file} outside its scope (${violation.reason}${violation.entry ? `, ${violation.entry}` : ''}).`);
  }
  for (const blocked of report.blocked) {
    if (blocked.requestedScopeAddition.length > 0) learnings.push(`${blocked.objective} needed more scope (${blocked.requestedScopeAddition.join(', ')}): ${shorten(blocked.why)}`);
  }
  for (const objective of report.objectives) {
    if (objective.outcome === 'failed' && objective.error !== null && objective.violations.length === 0) learnings.push(`${objective.id} failed: ${shorten(objective.error)}`);
  }
  for (const result of report.verify) {
    if (!result.passed) learnings.push(`Verify \`${result.command}\` failed in wave ${result.wave}${result.rolledBack ? ' and the wave was rolled back' : ''}.`);
  }
  return learnings;
}

/**
 * Decides the documentation updates for a run. README lists features only when FEATURE or ENHANCEMENT
 * work landed; PRD lists requirements only when FEATURE work landed. `existing` supplies the current
 * files so their owned sections accumulate across runs.
 */
export function planDocumentation(report: AccomplishmentReport, existing: { readme: string | null; prd: string | null }): DocumentationPlan {
  const landed = report.objectives.filter((objective) => objective.landed);
  const agents: AgentsSessionEntry = {
    runId: report.runId,
    date: (report.finishedAt ?? report.startedAt).slice(0, 10),
    request: report.request,
    summary: report.summary,
    objectives: report.objectives.map((objective) => ({ id: objective.id, outcome: objective.outcome })),
    learnings: learningsOf(report),
  };
  const addsFeatures = landed.length > 0 && (report.taskType === 'FEATURE' || report.taskType === 'ENHANCEMENT');
  const readme = addsFeatures
    ? { id: 'features', title: 'Features', body: accumulate(existingBullets(existing.readme, 'features'), landed.map((objective) => oneLine(objective.title)), plainKey) }
    : null;
  const prd =
    landed.length > 0 && report.taskType === 'FEATURE'
      ? { id: 'requirements', title: 'Requirements', body: accumulate(existingBullets(existing.prd, 'requirements'), [`${oneLine(report.request)} (run ${report.runId})`], requirementKey) }
      : null;
  return { agents, readme, prd };
}
