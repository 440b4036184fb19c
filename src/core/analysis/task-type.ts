import type { TaskType } from './types.js';

/** Earlier wins a tie: a request that names a bug is about the bug, whatever else it says. */
const priority: readonly TaskType[] = ['BUG', 'RESET', 'REFACTOR', 'TEST', 'DOCS', 'ENHANCEMENT', 'FEATURE'];

const keywords: Record<TaskType, readonly string[]> = {
  BUG: ['fix', 'fixes', 'fixing', 'bug', 'bugs', 'crash', 'crashes', 'crashing', 'error', 'errors', 'broken', 'regression', 'fail', 'fails', 'failing', 'failure', 'wrong', 'incorrect', 'exception', 'hotfix', 'issue'],
  REFACTOR: ['refactor', 'refactoring', 'restructure', 'reorganize', 'reorganise', 'rename', 'extract', 'clean up', 'cleanup', 'simplify', 'split', 'move', 'decouple', 'modularize', 'deduplicate', 'tidy'],
  RESET: ['reset', 'rewrite', 'from scratch', 'start over', 'redo', 'reimplement', 'rebuild'],
  ENHANCEMENT: ['improve', 'improvement', 'optimize', 'optimise', 'enhance', 'speed up', 'faster', 'performance', 'better', 'upgrade', 'polish'],
  TEST: ['test', 'tests', 'testing', 'coverage', 'spec', 'specs', 'e2e'],
  DOCS: ['document', 'documentation', 'docs', 'doc', 'readme', 'comments', 'docstring', 'docstrings', 'changelog', 'tutorial'],
  FEATURE: ['add', 'implement', 'create', 'new', 'support', 'build', 'introduce', 'allow', 'enable', 'feature'],
};

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const matchers = Object.fromEntries(
  priority.map((type) => [
    type,
    keywords[type].map((word) => ({ word, pattern: new RegExp(`(?<![\\w-])${escapeRegex(word).replace(/ /g, '\\s+')}(?![\\w-])`, 'i') })),
  ]),
) as Record<TaskType, { word: string; pattern: RegExp }[]>;

function quoted(words: readonly string[]): string {
  return words.map((word) => `"${word}"`).join(', ');
}

/** The type's keywords found in the request, in the order the request uses them. */
function matchedWords(type: TaskType, request: string): string[] {
  return matchers[type]
    .map(({ word, pattern }) => ({ word, index: pattern.exec(request)?.index ?? -1 }))
    .filter(({ index }) => index >= 0)
    .sort((left, right) => left.index - right.index)
    .map(({ word }) => word);
}

/** Classifies a request by the keywords it contains; the reason names them. */
export function classifyTaskType(request: string): { taskType: TaskType; taskTypeReason: string } {
  const matched = priority.map((type) => ({ type, words: matchedWords(type, request) }));
  const best = Math.max(...matched.map(({ words }) => words.length));
  if (best === 0) return { taskType: 'FEATURE', taskTypeReason: 'no keyword matched; defaulting to FEATURE' };
  // `priority` order makes the first of the tied ones the winner.
  const winner = matched.find(({ words }) => words.length === best)!;
  const tied = matched.filter(({ type, words }) => type !== winner.type && words.length === best);
  const others = matched.filter(({ type, words }) => type !== winner.type && words.length > 0 && words.length < best);
  let reason = `matched ${quoted(winner.words)} (${winner.type})`;
  if (tied.length > 0) reason += `; tied with ${tied.map(({ type, words }) => `${type} (${quoted(words)})`).join(', ')}, ${winner.type} wins by priority`;
  if (others.length > 0) reason += `; fewer matches for ${others.map(({ type, words }) => `${type} (${quoted(words)})`).join(', ')}`;
  return { taskType: winner.type, taskTypeReason: reason };
}
