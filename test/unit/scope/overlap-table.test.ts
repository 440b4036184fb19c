import { describe, expect, it } from 'vitest';
import { entriesOverlap } from '../../../src/core/scope/overlap.js';
import { parseScopeEntry, type ScopeEntry } from '../../../src/core/scope/scope-entry.js';
import type { RepoPaths } from '../../../src/core/scope/repo-paths.js';
import { ScopeIndex } from '../../../src/core/scope/scope-index.js';

const existingFolders = new Set(['src', 'src/auth', 'src/ui', 'test', 'lib']);
const repo: RepoPaths = {
  files: ['src/auth/login.ts', 'src/ui/app.tsx', 'test/a.test.ts', 'lib/x.js'],
  isDirectory: (path) => existingFolders.has(path),
  symlink: () => undefined,
};

function entry(raw: string): ScopeEntry {
  const parsed = parseScopeEntry(raw, repo);
  if (!parsed.ok) throw new Error(`${raw}: ${parsed.message}`);
  return parsed.entry;
}

// [a, b, overlaps, why]
const table: [string, string, boolean, string][] = [
  ['src/auth/', 'src/auth/login.ts', true, 'folder vs file inside it'],
  ['src/auth', 'src/auth/login.ts', true, 'existing folder without trailing slash is a folder'],
  ['src/auth/', 'src/ui/', false, 'sibling folders'],
  ['src/a/', 'src/ab/', false, 'folder names sharing a prefix are disjoint'],
  ['src/a/', 'src/ab.ts', false, 'folder vs file sharing a prefix'],
  ['src/**', 'src/x/y.ts', true, 'globstar covers nested file'],
  ['src/*.ts', 'src/a.js', false, 'extension differs'],
  ['src/*.ts', 'src/a.ts', true, 'glob matches file'],
  ['src/*.ts', 'src/x/a.ts', false, 'single star does not cross folders'],
  ['**/*.test.ts', 'test/', true, 'globstar glob vs folder'],
  ['**/*.test.ts', 'src/**/*.js', false, 'last segments disjoint by suffix'],
  ['**/*.ts', '**/*.tsx', false, 'suffix .ts vs .tsx'],
  ['src/**/*.ts', 'lib/**/*.ts', false, 'different literal roots'],
  ['src/**/*.ts', 'src/auth/', true, 'glob reaches into folder'],
  ['src/*.ts', 'src/auth/', false, 'single-level glob vs subfolder'],
  ['src/*', 'src/auth/', false, 'src/* matches files directly in src only'],
  ['src/*/index.ts', 'src/auth/', true, 'star segment matches folder name'],
  ['src/*/index.ts', 'src/auth/login.ts', false, 'different file name'],
  ['./src/auth.ts', 'src/auth.ts', true, 'leading ./ normalized'],
  ['src//auth.ts', 'src/auth.ts', true, 'double slash normalized'],
  ['src/auth/../ui/app.tsx', 'src/ui/', true, 'inner .. resolved'],
  ['src/ui/', 'src/ui', true, 'trailing slash and existing folder agree'],
  ['src/new-module/', 'src/new-module/x.ts', true, 'folder that does not exist yet'],
  ['src/future/**/*.ts', 'src/future/a/b.ts', true, 'glob that matches no existing file yet'],
  ['src/future/**/*.ts', 'src/past/**/*.ts', false, 'two not-yet-existing disjoint trees'],
  ['src/{auth,ui}/*.ts', 'src/ui/app.ts', true, 'brace alternative'],
  ['src/{auth,ui}/*.ts', 'lib/x.ts', false, 'brace alternative, other root'],
  ['src/[ab].ts', 'src/c.ts', false, 'character class excludes'],
  ['src/[ab].ts', 'src/a.ts', true, 'character class includes'],
  ['./', 'anything/at/all.md', true, 'whole repository'],
  ['src/a.ts', 'src/a.ts', true, 'same file'],
  ['src/a.ts', 'src/b.ts', false, 'different files'],
  ['src/config', 'src/config/x.ts', true, 'file path that another scope treats as a folder clashes'],
  ['test_*.py', 'tests/', false, 'root glob vs folder whose name the glob cannot be a parent of'],
  ['**/test_*.py', 'tests/', true, 'globstar reaches into any folder'],
  ['src/**/*.ts', 'src/**/*.test.ts', true, 'cannot prove disjoint: conservative overlap'],
  ['*.md', 'docs/', false, 'root-level glob vs folder'],
  ['docs/*.md', 'docs/*.txt', false, 'disjoint suffixes in the same folder'],
  ['src/a*/x.ts', 'src/b*/x.ts', false, 'disjoint literal prefixes'],
  ['src/**', 'lib/', false, 'globstar under another root'],
  ['app/[id]/page.tsx', 'app/[id]/page.tsx', true, 'a path spelled like a glob still covers itself'],
];

describe('scope overlap table', () => {
  it.each(table)('%s vs %s -> %s (%s)', (a, b, expected) => {
    expect(entriesOverlap(entry(a), entry(b))).toBe(expected);
    expect(entriesOverlap(entry(b), entry(a))).toBe(expected);
  });

  it('has at least 30 pairs', () => {
    expect(table.length).toBeGreaterThanOrEqual(30);
  });

  it('the index finds exactly the pairs the pairwise check finds', () => {
    const entries = [...new Set(table.flatMap(([a, b]) => [a, b]))].map(entry);
    const index = new ScopeIndex<number>();
    entries.forEach((stored, position) => index.add(stored, position));
    for (const probe of entries) {
      const found = new Set<number>();
      for (const stored of index.overlapping(probe)) found.add(stored.owner);
      const expected = new Set(entries.flatMap((stored, position) => (entriesOverlap(probe, stored) ? [position] : [])));
      expect([...found].sort(), probe.raw).toEqual([...expected].sort());
    }
  });
});

describe('scope entry normalization and rejection', () => {
  it.each([
    ['./src', 'src/'],
    ['src//a.ts', 'src/a.ts'],
    ['src/auth/', 'src/auth/'],
    ['src/new/', 'src/new/'],
    ['src/new', 'src/new'],
    ['.', './'],
    ['./', './'],
    ['a/./b/../c.ts', 'a/c.ts'],
    ['src/**/', 'src/**'],
  ])('%s normalizes to %s', (raw, normalized) => {
    expect(entry(raw).normalized).toBe(normalized);
  });

  it.each([
    ['/etc/passwd', 'absolute path'],
    ['C:/repo/x.ts', 'absolute path'],
    ['~/x', 'absolute path'],
    ['../outside.ts', 'escapes the repository'],
    ['src/../../x', 'escapes the repository'],
    ['src/\0evil', 'NUL byte'],
    ['', 'is empty'],
    ['src/[ab.ts', 'not a valid glob'],
    ['src/{a,b.ts', 'not a valid glob'],
    ['src/**.ts', '`**` must be a whole path segment'],
    ['!src/x.ts', 'negated'],
    [' src/x.ts', 'whitespace'],
    ['src\\x.ts', 'backslash'],
  ])('%j is rejected (%s)', (raw, expected) => {
    const parsed = parseScopeEntry(raw, repo);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.message).toContain(expected);
      expect(parsed.fix.length).toBeGreaterThan(10);
    }
  });

  it('rejects a path through a symlink that leaves the repository and canonicalizes one that stays', () => {
    const linked: RepoPaths = {
      files: ['out', 'alias'],
      isDirectory: (path) => path === 'real',
      symlink: (path) => (path === 'out' ? { target: null } : path === 'alias' ? { target: 'real' } : undefined),
    };
    const escaping = parseScopeEntry('out/secrets.txt', linked);
    expect(escaping.ok).toBe(false);
    if (!escaping.ok) expect(escaping.message).toContain('symlink "out"');
    const aliased = parseScopeEntry('alias/x.ts', linked);
    expect(aliased.ok && aliased.entry.normalized).toBe('real/x.ts');
  });
});
