import { describe, expect, it } from 'vitest';
import { classifyTaskType } from '../../../src/core/analysis/task-type.js';
import type { TaskType } from '../../../src/core/analysis/types.js';

const table: [string, TaskType][] = [
  ['Fix the crash when saving a user', 'BUG'],
  ['Login is broken since the last release', 'BUG'],
  ['Regression: export fails on empty lists', 'BUG'],
  ['Fix the failing tests in auth', 'BUG'],
  ['Refactor the payment module', 'REFACTOR'],
  ['Split api.ts into smaller files and rename helpers', 'REFACTOR'],
  ['Clean up the config loader', 'REFACTOR'],
  ['Rewrite the parser from scratch', 'RESET'],
  ['Start over with the dashboard', 'RESET'],
  ['Improve search performance', 'ENHANCEMENT'],
  ['Make the build faster', 'ENHANCEMENT'],
  ['Speed up the importer', 'ENHANCEMENT'],
  ['Add tests for the auth module', 'TEST'],
  ['Raise coverage of the store', 'TEST'],
  ['Document the public API in the README', 'DOCS'],
  ['Add JWT login to auth', 'FEATURE'],
  ['Implement CSV export', 'FEATURE'],
  ['Support dark mode', 'FEATURE'],
  ['Make the header purple', 'FEATURE'],
  ['The app throws an exception on startup', 'BUG'],
  ['refactoring: move the prefix handling out of fixtures.ts', 'REFACTOR'],
];

describe('classifyTaskType', () => {
  it.each(table)('%s -> %s', (request, expected) => {
    expect(classifyTaskType(request).taskType).toBe(expected);
  });

  it('names the matched words in the order the request uses them', () => {
    expect(classifyTaskType('The importer crashes; please fix it').taskTypeReason).toBe('matched "crashes", "fix" (BUG)');
  });

  it('explains a tie broken by priority', () => {
    expect(classifyTaskType('Add tests').taskTypeReason).toBe('matched "tests" (TEST); tied with FEATURE ("add"), TEST wins by priority');
  });

  it('defaults to FEATURE when nothing matches', () => {
    expect(classifyTaskType('Make the header purple')).toEqual({ taskType: 'FEATURE', taskTypeReason: 'no keyword matched; defaulting to FEATURE' });
  });

  it('matches whole words only', () => {
    expect(classifyTaskType('prefix the suffixes with testament dates').taskType).toBe('FEATURE');
    expect(classifyTaskType('rebuild the index').taskType).toBe('RESET');
  });
});
