import { containerFolders } from '../analysis/module-layout.js';
import type { TaskType } from '../analysis/types.js';
import type { ObjectiveState } from '../../store/run-records.js';

/** Git tools and hosting sites cut or wrap a longer subject line. */
export const maxSubjectLength = 72;

export interface CommitMessageInput {
  taskType: TaskType;
  request: string;
  objectives: readonly { id: string; title: string; state: ObjectiveState; files: readonly string[] }[];
  verifyPassed: boolean | null;
  /** Overrides the scope found from the merged files; an empty string means no scope. */
  scope?: string;
}

const performanceWords = /\b(speed|speeds|speedup|fast|faster|fastest|slow|slower|slowness|performance|performant|perf|latency|throughput|optimi[sz]e|optimi[sz]es|optimi[sz]ation|optimi[sz]ing)\b/i;

const baseTypes: Record<TaskType, string> = {
  FEATURE: 'feat',
  BUG: 'fix',
  REFACTOR: 'refactor',
  RESET: 'refactor',
  ENHANCEMENT: 'feat',
  TEST: 'test',
  DOCS: 'docs',
};

/** Used only when not even the request's first word fits, so the subject still says something true. */
const fallbackDescriptions: Record<string, string> = {
  feat: 'add requested feature',
  fix: 'fix reported bug',
  refactor: 'restructure code',
  perf: 'improve performance',
  test: 'add tests',
  docs: 'update documentation',
};

/** A request written as a commit subject already ("fix: x") would otherwise repeat its type. */
const conventionalPrefix = /^(feat|fix|refactor|perf|test|docs|chore|build|ci|style|revert)(\([^)]*\))?!?:\s+/i;
const trailingPunctuation = /[\s.,;:!?\u2026\-\u2013\u2014]+$/u;

export function commitType(taskType: TaskType, request: string): string {
  return taskType === 'ENHANCEMENT' && performanceWords.test(request) ? 'perf' : baseTypes[taskType];
}

function moduleOfFile(path: string): string | undefined {
  // The last segment is the file name, never a module.
  const [firstFolder, secondFolder] = path.split('/').slice(0, -1);
  if (firstFolder === undefined || firstFolder.startsWith('.')) return undefined;
  if (containerFolders.has(firstFolder) && secondFolder !== undefined && !secondFolder.startsWith('.')) return secondFolder;
  return firstFolder;
}

/** The one module all files belong to (`auth` for src/auth/...), or undefined when they span several or none. */
export function commonModule(files: readonly string[]): string | undefined {
  const modules = new Set(files.map(moduleOfFile));
  if (modules.size !== 1) return undefined;
  const [only] = modules;
  return only === undefined ? undefined : sanitizeScope(only);
}

function sanitizeScope(name: string): string | undefined {
  const scope = name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '');
  return scope || undefined;
}

/** Keeps acronyms (API, URL) as written: lowering their first letter would garble them. */
function lowerFirst(word: string): string {
  const [first, second] = [...word];
  if (first === undefined) return word;
  if (second !== undefined && second !== second.toLowerCase()) return word;
  return first.toLowerCase() + word.slice(first.length);
}

function requestWords(request: string): string[] {
  const words = request.trim().replace(conventionalPrefix, '').split(/\s+/u).filter(Boolean);
  if (words.length > 0) words[0] = lowerFirst(words[0]!);
  return words;
}

/** Whole words only, in order, stopping at the first that does not fit. */
function fitWords(words: readonly string[], room: number): string {
  let description = '';
  for (const word of words) {
    const next = description ? `${description} ${word}` : word;
    if (next.length > room) break;
    description = next;
  }
  return description.replace(trailingPunctuation, '');
}

export function commitSubject(type: string, scope: string | undefined, request: string): string {
  const words = requestWords(request);
  const prefixes = [scope ? `${type}(${scope}): ` : undefined, `${type}: `].filter((prefix): prefix is string => prefix !== undefined);
  for (const prefix of prefixes) {
    const description = fitWords(words, maxSubjectLength - prefix.length);
    if (description) return prefix + description;
  }
  const fallback = fallbackDescriptions[type] ?? 'apply requested changes';
  const prefix = prefixes.find((candidate) => candidate.length + fallback.length <= maxSubjectLength) ?? `${type}: `;
  return prefix + fallback;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A Conventional Commit message for what the run merged; the subject is never cut mid-word. */
export function conventionalCommitMessage(input: CommitMessageInput): string {
  const merged = input.objectives.filter((objective) => objective.state === 'merged');
  const others = input.objectives.filter((objective) => objective.state !== 'merged');
  const files = new Set(merged.flatMap((objective) => objective.files));
  const type = commitType(input.taskType, input.request);
  const found = input.scope === undefined ? commonModule([...files]) : sanitizeScope(input.scope);
  // `test(tests):` and `docs(docs):` say nothing the type does not.
  const scope = found === type || found === `${type}s` ? undefined : found;
  const lines = [commitSubject(type, scope, input.request), '', 'Objectives completed:'];
  lines.push(...(merged.length > 0 ? merged.map((objective) => `- ${objective.id}: ${oneLine(objective.title)}`) : ['- none']));
  if (others.length > 0) {
    lines.push('', 'Objectives not merged:', ...others.map((objective) => `- ${objective.id}: ${oneLine(objective.title)} (${objective.state})`));
  }
  const tests = input.verifyPassed === null ? 'not run' : input.verifyPassed ? 'passed' : 'failed';
  lines.push('', `Modified files: ${files.size}`, `Tests: ${tests}`);
  return lines.join('\n');
}
