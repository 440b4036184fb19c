import { chmodSync, mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors/input-error.js';
import { listRepoFiles } from '../../../src/core/analysis/repo-files.js';
import { TempFolders, git, makeGitRepo, runningAsRoot, writeFiles } from './temp-repo.js';

const folders = new TempFolders();
afterEach(() => folders.removeAll());

const pathsOf = (listing: { files: { path: string }[] }): string[] => listing.files.map((file) => file.path);

describe('listRepoFiles in a git repository', () => {
  it('lists tracked and untracked-not-ignored files, drops ignored and deleted ones, sorted', async () => {
    const root = makeGitRepo(folders, {
      '.gitignore': 'dist/\n*.log\n',
      'src/b.ts': 'b',
      'src/a.ts': 'a',
      'gone.ts': 'x',
      'README.md': '# r',
      'src/with space ü\n.ts': 'odd name',
    });
    writeFiles(root, { 'new-file.ts': 'n', 'dist/out.js': 'o', 'debug.log': 'l', 'node_modules/x/index.js': 'm', '.ap/state.json': '{}' });
    rmSync(path.join(root, 'gone.ts'));
    const listing = await listRepoFiles(root);
    expect(listing.isGitRepo).toBe(true);
    expect(listing.root).toBe(realpathSync(root));
    expect(pathsOf(listing)).toEqual(['.gitignore', 'README.md', 'new-file.ts', 'src/a.ts', 'src/b.ts', 'src/with space ü\n.ts']);
    expect(listing.files.every((file) => file.kind === 'file')).toBe(true);
    expect(listing.warnings).toEqual([]);
  });

  it('works in an empty repository with no commits', async () => {
    const root = makeGitRepo(folders, { 'main.py': 'print(1)\n' }, false);
    const listing = await listRepoFiles(root);
    expect(listing.isGitRepo).toBe(true);
    expect(pathsOf(listing)).toEqual(['main.py']);
  });

  it('lists paths relative to a subfolder when given one', async () => {
    const root = makeGitRepo(folders, { 'packages/api/src/x.ts': 'x', 'packages/web/y.ts': 'y', 'top.ts': 't' });
    const listing = await listRepoFiles(path.join(root, 'packages/api'));
    expect(listing.isGitRepo).toBe(true);
    expect(pathsOf(listing)).toEqual(['src/x.ts']);
  });

  it('classifies symlinks (escaping or not, dangling) without following them, and nested repositories', async () => {
    const outside = folders.make('ap-outside-');
    writeFileSync(path.join(outside, 'secret.txt'), 'secret\n');
    const root = makeGitRepo(folders, { 'src/real.ts': 'r' });
    symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'absolute-out'));
    symlinkSync('../../..' + outside, path.join(root, 'src', 'relative-out'));
    symlinkSync('real.ts', path.join(root, 'src', 'inside'));
    symlinkSync('missing.ts', path.join(root, 'dangling'));
    symlinkSync('src', path.join(root, 'folder-link'));
    mkdirSync(path.join(root, 'vendor'));
    git(path.join(root, 'vendor'), 'init', '-q');
    writeFileSync(path.join(root, 'vendor', 'lib.c'), 'int x;\n');
    const listing = await listRepoFiles(root);
    const byPath = new Map(listing.files.map((file) => [file.path, file]));
    expect(byPath.get('absolute-out')).toEqual({ path: 'absolute-out', kind: 'symlink', symlinkTarget: path.join(outside, 'secret.txt'), symlinkEscapes: true });
    expect(byPath.get('src/relative-out')).toMatchObject({ kind: 'symlink', symlinkEscapes: true });
    expect(byPath.get('src/inside')).toEqual({ path: 'src/inside', kind: 'symlink', symlinkTarget: 'real.ts', symlinkEscapes: false });
    expect(byPath.get('dangling')).toMatchObject({ kind: 'symlink', symlinkTarget: 'missing.ts', symlinkEscapes: false });
    expect(byPath.get('folder-link')).toMatchObject({ kind: 'symlink', symlinkEscapes: false });
    expect(byPath.get('vendor')).toEqual({ path: 'vendor', kind: 'submodule' });
    expect(pathsOf(listing).some((listed) => listed.startsWith('folder-link/') || listed.startsWith('vendor/'))).toBe(false);
  });

  it('flags a link that stays inside lexically but really leads outside through another link', async () => {
    const outside = folders.make('ap-outside-');
    const root = makeGitRepo(folders, { 'a.ts': 'a' });
    symlinkSync(outside, path.join(root, 'door'));
    symlinkSync('door', path.join(root, 'through-door'));
    const listing = await listRepoFiles(root);
    expect(listing.files.find((file) => file.path === 'through-door')).toMatchObject({ kind: 'symlink', symlinkEscapes: true });
  });
});

describe('listRepoFiles in a plain folder', () => {
  it('walks with nested .gitignore files, negations, and the always-skipped folders', async () => {
    const root = folders.make();
    writeFiles(root, {
      '.gitignore': '*.log\nbuild/\n',
      'keep.log.txt': 'k',
      'app.log': 'x',
      'build/out.js': 'x',
      'src/index.ts': 'i',
      'src/.gitignore': 'generated/\n*.tmp\n!important.tmp\n',
      'src/generated/g.ts': 'g',
      'src/scratch.tmp': 's',
      'src/important.tmp': 'i',
      'src/deep/notes.log': 'x',
      'src/deep/ok.ts': 'o',
      'node_modules/pkg/index.js': 'x',
      'lib/node_modules/pkg/index.js': 'x',
      '.git/config': 'x',
      '.venv/bin/python': 'x',
      '__pycache__/a.pyc': 'x',
      '.ap/runs.json': 'x',
      '.cache/x': 'x',
      'generated/top.ts': 'patterns of src/.gitignore do not apply here',
    });
    symlinkSync('src', path.join(root, 'linked-src'));
    const listing = await listRepoFiles(root);
    expect(listing.isGitRepo).toBe(false);
    expect(pathsOf(listing)).toEqual([
      '.gitignore',
      'generated/top.ts',
      'keep.log.txt',
      'linked-src',
      'src/.gitignore',
      'src/deep/ok.ts',
      'src/important.tmp',
      'src/index.ts',
    ]);
    expect(listing.files.find((file) => file.path === 'linked-src')).toMatchObject({ kind: 'symlink', symlinkTarget: 'src', symlinkEscapes: false });
  });

  it.skipIf(runningAsRoot)('reports an unreadable folder as a warning instead of failing', async () => {
    const root = folders.make();
    writeFiles(root, { 'ok.ts': 'o', 'secret/hidden.ts': 'h' });
    chmodSync(path.join(root, 'secret'), 0o000);
    try {
      const listing = await listRepoFiles(root);
      expect(pathsOf(listing)).toEqual(['ok.ts']);
      expect(listing.warnings).toEqual(['secret/: permission denied (EACCES)']);
    } finally {
      chmodSync(path.join(root, 'secret'), 0o755);
    }
  });
});

describe('listRepoFiles input errors', () => {
  it('rejects a missing path and a file with an InputError on field repo', async () => {
    const root = folders.make();
    writeFiles(root, { 'file.txt': 'x' });
    for (const bad of [path.join(root, 'missing'), path.join(root, 'file.txt')]) {
      const error = await listRepoFiles(bad).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InputError);
      const problem = (error as InputError).problems[0]!;
      expect(problem.field).toBe('repo');
      expect(problem.fix).toMatch(/absolute path/);
    }
  });
});
