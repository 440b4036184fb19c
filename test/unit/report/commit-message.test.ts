import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskType } from '../../../src/core/analysis/types.js';
import { taskTypes } from '../../../src/core/analysis/types.js';
import { commitType, conventionalCommitMessage, maxSubjectLength } from '../../../src/core/report/commit-message.js';
import type { ObjectiveState } from '../../../src/store/run-records.js';

type Objectives = { id: string; title: string; state: ObjectiveState; files: string[] }[];

const merged = (...files: string[]): Objectives => [{ id: 'o1', title: 'Do it', state: 'merged', files }];
const subjectOf = (taskType: TaskType, request: string, objectives: Objectives = [], scope?: string): string =>
  conventionalCommitMessage({ taskType, request, objectives, verifyPassed: true, ...(scope === undefined ? {} : { scope }) }).split('\n')[0]!;

const longRequest =
  'Add a password reset flow with email tokens, rate limiting per account and per address, audit logging, and an admin override screen';
const hugeWord = 'x'.repeat(90);
const wideWord = 'y'.repeat(55);

const cases: { name: string; taskType: TaskType; request: string; objectives?: Objectives; scope?: string; subject: string }[] = [
  { name: 'feature with one module', taskType: 'FEATURE', request: 'Add JWT login to auth', objectives: merged('src/auth/login.ts', 'src/auth/token.ts'), subject: 'feat(auth): add JWT login to auth' },
  { name: 'bug loses its trailing period', taskType: 'BUG', request: 'Fix crash when the token expires.', objectives: merged('src/auth/token.ts'), subject: 'fix(auth): fix crash when the token expires' },
  { name: 'refactor over two modules has no scope', taskType: 'REFACTOR', request: 'Split the session code', objectives: merged('src/auth/a.ts', 'src/ui/b.ts'), subject: 'refactor: split the session code' },
  { name: 'reset is a refactor', taskType: 'RESET', request: 'Rewrite the cart from scratch', objectives: merged('src/cart/index.ts'), subject: 'refactor(cart): rewrite the cart from scratch' },
  { name: 'enhancement about speed is perf', taskType: 'ENHANCEMENT', request: 'Speed up search indexing', objectives: merged('src/search/index.ts'), subject: 'perf(search): speed up search indexing' },
  { name: 'enhancement not about speed is feat', taskType: 'ENHANCEMENT', request: 'Improve error messages', objectives: merged('lib/errors.js'), subject: 'feat(lib): improve error messages' },
  { name: 'tests folder is no scope for test', taskType: 'TEST', request: 'Add tests for the parser', objectives: merged('tests/parser.test.ts'), subject: 'test: add tests for the parser' },
  { name: 'docs folder is no scope for docs', taskType: 'DOCS', request: 'Document the CLI flags', objectives: merged('docs/cli.md'), subject: 'docs: document the CLI flags' },
  { name: 'package container uses the package name', taskType: 'FEATURE', request: 'Add retries', objectives: merged('packages/core/src/retry.ts', 'packages/core/test/retry.test.ts'), subject: 'feat(core): add retries' },
  { name: 'root files give no scope', taskType: 'DOCS', request: 'Update the README', objectives: merged('README.md'), subject: 'docs: update the README' },
  { name: 'only merged files decide the scope', taskType: 'FEATURE', request: 'Add login', objectives: [...merged('src/auth/a.ts'), { id: 'o2', title: 'UI', state: 'failed', files: ['src/ui/b.ts'] }], subject: 'feat(auth): add login' },
  { name: 'explicit scope wins', taskType: 'FEATURE', request: 'Add login', objectives: merged('src/auth/a.ts'), scope: 'core', subject: 'feat(core): add login' },
  { name: 'empty explicit scope means none', taskType: 'FEATURE', request: 'Add login', objectives: merged('src/auth/a.ts'), scope: '', subject: 'feat: add login' },
  { name: 'long request is cut at a word boundary', taskType: 'FEATURE', request: longRequest, objectives: merged('src/auth/reset.ts'), subject: 'feat(auth): add a password reset flow with email tokens, rate limiting' },
  { name: 'cut drops the trailing comma', taskType: 'FEATURE', request: 'Add a password reset flow with tokens, rate limits, audit logs, admin overrides, and more', subject: 'feat: add a password reset flow with tokens, rate limits, audit logs' },
  { name: 'single huge word falls back', taskType: 'FEATURE', request: hugeWord, subject: 'feat: add requested feature' },
  { name: 'huge first word falls back even with more words', taskType: 'BUG', request: `${hugeWord} breaks login`, subject: 'fix: fix reported bug' },
  { name: 'wide word drops the scope to fit', taskType: 'FEATURE', request: wideWord, objectives: merged('src/authentication-layer/a.ts'), subject: `feat: ${wideWord}` },
  { name: 'unicode first letter is lowered', taskType: 'BUG', request: 'Ärger über langsame Suche beheben', subject: 'fix: ärger über langsame Suche beheben' },
  { name: 'text without spaces stays whole', taskType: 'FEATURE', request: '添加用户登录功能', subject: 'feat: 添加用户登录功能' },
  { name: 'acronyms keep their case', taskType: 'FEATURE', request: 'API keys for webhooks', subject: 'feat: API keys for webhooks' },
  { name: 'a conventional prefix in the request is not repeated', taskType: 'BUG', request: 'fix: handle an empty cart', subject: 'fix: handle an empty cart' },
  { name: 'newlines and tabs collapse', taskType: 'FEATURE', request: 'Add login\n\tand logout!!!', subject: 'feat: add login and logout' },
  { name: 'empty request falls back', taskType: 'TEST', request: '   ', subject: 'test: add tests' },
];

describe('conventional commit subject', () => {
  it.each(cases)('$name', ({ taskType, request, objectives, scope, subject }) => {
    const actual = subjectOf(taskType, request, objectives, scope);
    expect(actual).toBe(subject);
    expect(actual.length).toBeLessThanOrEqual(maxSubjectLength);
  });
});

describe('conventional commit body', () => {
  it('lists merged and unmerged objectives, the file count and the tests', () => {
    const message = conventionalCommitMessage({
      taskType: 'FEATURE',
      request: 'Add login',
      objectives: [
        { id: 'o1', title: 'Login API', state: 'merged', files: ['src/auth/a.ts', 'src/auth/b.ts'] },
        { id: 'o2', title: 'Login\npage', state: 'merged', files: ['src/auth/b.ts'] },
        { id: 'o3', title: 'Audit', state: 'failed', files: ['src/audit/x.ts'] },
        { id: 'o4', title: 'Docs', state: 'blocked', files: [] },
      ],
      verifyPassed: false,
    });
    expect(message).toBe(
      [
        'feat(auth): add login',
        '',
        'Objectives completed:',
        '- o1: Login API',
        '- o2: Login page',
        '',
        'Objectives not merged:',
        '- o3: Audit (failed)',
        '- o4: Docs (blocked)',
        '',
        'Modified files: 2',
        'Tests: failed',
      ].join('\n'),
    );
  });

  it('says when nothing merged and no tests ran', () => {
    const message = conventionalCommitMessage({ taskType: 'BUG', request: 'Fix it', objectives: [], verifyPassed: null });
    expect(message).toContain('Objectives completed:\n- none');
    expect(message).toContain('Modified files: 0\nTests: not run');
  });
});

const trailingPunctuation = /[\s.,;:!?\u2026\-\u2013\u2014]+$/u;
/** The documented exception: a request already written as a commit subject does not repeat its type. */
const conventionalPrefix = /^(feat|fix|refactor|perf|test|docs|chore|build|ci|style|revert)(\([^)]*\))?!?:\s+/i;
const fallbacks = new Set(['add requested feature', 'fix reported bug', 'restructure code', 'improve performance', 'add tests', 'update documentation']);

const wordArbitrary = fc.oneof(
  fc.string({ minLength: 1, maxLength: 14 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }),
  fc.constantFrom('fix:', 'Add', 'API', 'x'.repeat(80), 'z'.repeat(60), '...', '!', '\u2014', 'Ärger', 'İstanbul', '😀😀', 'speed', 'a,', 'end.'),
);
const requestArbitrary = fc.oneof(
  fc.array(fc.tuple(wordArbitrary, fc.constantFrom(' ', '  ', '\n', '\t', ' \r\n ')), { maxLength: 30 }).map((parts) => parts.map(([word, gap]) => word + gap).join('')),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

describe('conventional commit subject properties', () => {
  it('fits in 72 characters, starts with the type, ends on a whole word of the request', () => {
    fc.assert(
      fc.property(fc.constantFrom(...taskTypes), requestArbitrary, fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), (taskType, request, scope) => {
        const subject = subjectOf(taskType, request, merged('src/auth/a.ts'), scope);
        const type = commitType(taskType, request);
        expect(subject.length).toBeLessThanOrEqual(maxSubjectLength);
        expect(subject).not.toMatch(/[\r\n]/);
        expect(subject).toBe(subject.trimEnd());
        const prefix = /^([a-z]+)(\([^)\s]+\))?: /.exec(subject);
        expect(prefix?.[1]).toBe(type);
        const description = subject.slice(prefix![0].length);
        expect(description.length).toBeGreaterThan(0);
        if (fallbacks.has(description)) return;
        const requestWords = request.split(/\s+/u).filter(Boolean).map((word) => word.toLowerCase());
        const words = description.split(' ');
        words.forEach((word, index) => {
          const lowered = word.toLowerCase();
          const whole = requestWords.includes(lowered);
          const trimmedLast = index === words.length - 1 && requestWords.some((candidate) => candidate.replace(trailingPunctuation, '') === lowered);
          expect(whole || trimmedLast, `"${word}" of "${subject}" is not a whole word of ${JSON.stringify(request)}`).toBe(true);
        });
        // The words are the request's opening words in order: cut at the end, never picked from the middle.
        const opening = request.trim().replace(conventionalPrefix, '').split(/\s+/u).filter(Boolean).slice(0, words.length).join(' ').toLowerCase();
        expect(opening.startsWith(description.toLowerCase())).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
