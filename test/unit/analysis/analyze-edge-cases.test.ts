import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { analyzeRepository } from '../../../src/core/analysis/analyze-repository.js';
import { git, makeGitRepo, runningAsRoot, TempFolders, writeFiles } from './temp-repo.js';

const folders = new TempFolders();
afterEach(() => folders.removeAll());

const analyze = (repo: string, request = 'add a feature') => analyzeRepository({ repo, request, analysisId: 'an_edge', createdAt: 'now' });

describe('analyzeRepository edge cases', () => {
  it('counts binary files without lines, never reads symlinks, and survives a file it cannot read', async () => {
    const outside = folders.make('ap-outside-');
    writeFileSync(path.join(outside, 'huge.ts'), "import x from './src/a';\n".repeat(1000));
    const root = makeGitRepo(folders, {
      'src/a.ts': 'export const a = 1;\n',
      'src/blob.ts': Buffer.from('abc\n\0\ndef\n'),
      'src/pipe.ts': 'soon a FIFO\n',
    });
    symlinkSync(path.join(outside, 'huge.ts'), path.join(root, 'src', 'outside-link.ts'));
    symlinkSync('a.ts', path.join(root, 'src', 'inner-link.ts'));
    // A tracked file replaced by a FIFO: listed by git, unreadable as a file, even for root.
    rmSync(path.join(root, 'src', 'pipe.ts'));
    execFileSync('mkfifo', [path.join(root, 'src', 'pipe.ts')]);
    const report = await analyze(root);
    expect(report.totals).toEqual({ files: 5, lines: 1, binaryFiles: 1, symlinks: 2, unreadableFiles: 1 });
    expect(report.languages).toEqual([{ name: 'TypeScript', files: 3, lines: 1 }]);
    expect(report.warnings).toEqual(['src/pipe.ts: not a regular file, not read']);
    expect(report.modules).toEqual([{ name: 'src', scope: 'src/', files: 5, lines: 1, languages: ['TypeScript'] }]);
  });

  it.skipIf(runningAsRoot)('reports a file without read permission as unreadable', async () => {
    const root = makeGitRepo(folders, { 'a.ts': 'a\n', 'locked.ts': 'secret\n' });
    chmodSync(path.join(root, 'locked.ts'), 0o000);
    const report = await analyze(root);
    expect(report.totals.unreadableFiles).toBe(1);
    expect(report.warnings).toEqual(['locked.ts: permission denied (EACCES)']);
  });

  it('counts files over 5 MB without parsing them, and warns about malformed manifests', async () => {
    const root = makeGitRepo(folders, { 'web/package.json': '{ "name": ', 'web/app.js': "require('../lib/x')\n", 'lib/x.js': '' });
    writeFiles(root, { 'data/big.js': "require('../web/app.js');\n".repeat(260_000) });
    const report = await analyze(root);
    // big.js spans two 5 MB chunks; app.js and the unterminated package.json add one line each.
    expect(report.totals.lines).toBe(260_002);
    expect(report.manifests).toEqual([{ path: 'web/package.json', kind: 'npm' }]);
    expect(report.warnings).toHaveLength(2);
    expect(report.warnings[0]).toBe('data/big.js: larger than 5 MB, counted but not parsed');
    expect(report.warnings[1]).toMatch(/^web\/package\.json: malformed JSON \(.+\), ignored$/);
    expect(report.importGraph).toEqual([{ from: 'web', to: 'lib', imports: 1 }]);
  });

  it('analyzes a plain folder and an empty repository', async () => {
    const plain = folders.make();
    writeFiles(plain, { 'main.py': 'print(1)\n', 'pkg/util.py': 'import main\n' });
    const plainReport = await analyze(plain);
    expect(plainReport).toMatchObject({ isGitRepo: false, headCommit: null, branch: null });
    expect(plainReport.modules.map((module) => module.name)).toEqual(['(root files)', 'pkg']);
    expect(plainReport.modules[0]!.scope).toBe('*');
    expect(plainReport.importGraph).toEqual([{ from: 'pkg', to: '(root files)', imports: 1 }]);
    expect(plainReport.entryPoints).toEqual([{ path: 'main.py', reason: 'conventional name main.py' }]);

    const empty = makeGitRepo(folders, {}, false);
    const emptyReport = await analyze(empty);
    expect(emptyReport).toMatchObject({ isGitRepo: true, headCommit: null, branch: 'main', modules: [], affectedModules: [] });
    expect(emptyReport.totals.files).toBe(0);
    expect(emptyReport.scopeStrategy).toEqual({ summary: 'No modules found: treat the repository as one unit', waves: [] });
  });

  it('resolves workspace package names, src-layout Python packages and relative imports across modules', async () => {
    const root = makeGitRepo(folders, {
      'packages/core/package.json': JSON.stringify({ name: '@shop/core' }),
      'packages/core/src/index.ts': 'export const core = 1;\n',
      'packages/core/src/utils.ts': 'export const utils = 1;\n',
      'packages/web/package.json': JSON.stringify({ name: '@shop/web' }),
      'packages/web/src/app.ts': "import { core } from '@shop/core';\nimport { utils } from '@shop/core/src/utils';\nimport React from 'react';\n",
      'pyproject.toml': '[project]\nname = "engine"\n',
      'src/engine/__init__.py': '',
      'src/engine/run.py': 'from ..reports import summary\n',
      'src/reports/summary.py': 'import engine.run\nfrom engine import run\n',
    });
    const report = await analyze(root);
    expect(report.importGraph).toEqual([
      { from: 'packages/web', to: 'packages/core', imports: 2 },
      { from: 'src/engine', to: 'src/reports', imports: 1 },
      { from: 'src/reports', to: 'src/engine', imports: 2 },
    ]);
  });

  it('reports a detached HEAD as no branch', async () => {
    const root = makeGitRepo(folders, { 'a.ts': 'a\n' });
    git(root, 'checkout', '-q', '--detach');
    const report = await analyze(root);
    expect(report.branch).toBeNull();
    expect(report.headCommit).toMatch(/^[0-9a-f]{40}$/);
  });
});
