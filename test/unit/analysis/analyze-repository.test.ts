import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeRepository } from '../../../src/core/analysis/analyze-repository.js';
import { git, makeGitRepo, TempFolders } from './temp-repo.js';
import { expectedLines, shopFiles } from './shop-fixture.js';

const folders = new TempFolders();
let root: string;
const analyze = (request: string) => analyzeRepository({ repo: root, request, analysisId: 'an_test', createdAt: '2025-01-01T00:00:00.000Z' });

beforeAll(() => {
  root = makeGitRepo(folders, shopFiles);
});
afterAll(() => folders.removeAll());

describe('analyzeRepository on a known repository', () => {
  it('reports git facts, totals, languages and manifests', async () => {
    const report = await analyze('Fix the crash in auth when users log in');
    expect(report.isGitRepo).toBe(true);
    expect(report.headCommit).toBe(git(root, 'rev-parse', 'HEAD').trim());
    expect(report.branch).toBe('main');
    expect(report.totals).toEqual({ files: Object.keys(shopFiles).length, lines: expectedLines(shopFiles), binaryFiles: 1, symlinks: 0, unreadableFiles: 0 });
    expect(report.languages.map((language) => language.name)).toEqual(['TypeScript', 'Go', 'Python', 'TOML', 'Markdown', 'JavaScript', 'Makefile', 'Dockerfile', 'JSON']);
    expect(report.languages.find((language) => language.name === 'TypeScript')).toEqual({ name: 'TypeScript', files: 9, lines: 17 });
    expect(report.manifests).toEqual([
      { path: 'Dockerfile', kind: 'docker' },
      { path: 'Makefile', kind: 'make' },
      { path: 'go.mod', kind: 'go', name: 'example.com/shop' },
      { path: 'package.json', kind: 'npm', name: 'shop' },
      { path: 'pyproject.toml', kind: 'python', name: 'shop-tools' },
    ]);
    expect(report.warnings).toEqual([]);
  });

  it('finds modules, entry points and test folders', async () => {
    const report = await analyze('anything');
    expect(report.modules.map((module) => [module.name, module.scope, module.files])).toEqual([
      ['analytics', 'analytics/', 2],
      ['bin', 'bin/', 1],
      ['cmd/server', 'cmd/server/', 1],
      ['docs', 'docs/', 1],
      ['internal/store', 'internal/store/', 1],
      ['src (root files)', 'src/*', 1],
      ['src/auth', 'src/auth/', 2],
      ['src/cli', 'src/cli/', 1],
      ['src/db', 'src/db/', 1],
      ['src/ui', 'src/ui/', 1],
      ['src/users', 'src/users/', 1],
      ['tests', 'tests/', 2],
      ['tools', 'tools/', 2],
    ]);
    expect(report.modules.find((module) => module.name === 'src/auth')).toEqual({ name: 'src/auth', scope: 'src/auth/', files: 2, lines: 5, languages: ['TypeScript'] });
    expect(report.entryPoints).toEqual([
      { path: 'analytics/__main__.py', reason: 'conventional name __main__.py' },
      { path: 'bin/shop.js', reason: 'package.json "bin" (shop); file in bin/' },
      { path: 'cmd/server/main.go', reason: 'Go command cmd/server/main.go' },
      { path: 'src/index.ts', reason: 'package.json "exports"; conventional name index.ts' },
      { path: 'tools/cli.py', reason: 'pyproject.toml [project.scripts] "shop-tool"; conventional name cli.py' },
    ]);
    expect(report.testDirs).toEqual(['tests/']);
  });

  it('builds the import graph between modules across TypeScript, Python and Go', async () => {
    const report = await analyze('anything');
    expect(report.importGraph).toEqual([
      { from: 'analytics', to: 'tools', imports: 1 },
      { from: 'bin', to: 'src/cli', imports: 1 },
      { from: 'cmd/server', to: 'internal/store', imports: 1 },
      { from: 'src (root files)', to: 'src/auth', imports: 1 },
      { from: 'src (root files)', to: 'src/ui', imports: 1 },
      { from: 'src/auth', to: 'src/db', imports: 1 },
      { from: 'src/auth', to: 'src/users', imports: 1 },
      { from: 'src/cli', to: 'src/auth', imports: 1 },
      { from: 'src/ui', to: 'src/auth', imports: 2 },
      { from: 'src/ui', to: 'src/users', imports: 1 },
      { from: 'tests', to: 'src/auth', imports: 1 },
      { from: 'tools', to: 'analytics', imports: 1 },
    ]);
  });

  it('reads the request: task type, affected modules, coordination points and waves', async () => {
    const report = await analyze('Fix the crash in auth when users log in');
    expect(report.taskType).toBe('BUG');
    expect(report.taskTypeReason).toBe('matched "fix", "crash" (BUG)');
    expect(report.affectedModules).toEqual(['src/auth', 'src/users']);
    expect(report.coordinationPoints).toEqual([
      { modules: ['src/auth', 'src/users'], description: "src/auth imports src/users (1 import): agree on src/users's exported interface before changing both" },
    ]);
    expect(report.scopeStrategy).toEqual({
      summary: 'Multi-wave: 1 independent module in wave 1, integration in wave 2 (src/auth)',
      waves: [['src/users'], ['src/auth']],
    });
  });

  it('puts modules that import each other in one wave and names the cycle', async () => {
    const report = await analyze('Refactor the tools and analytics packages');
    expect(report.taskType).toBe('REFACTOR');
    expect(report.affectedModules).toEqual(['analytics', 'tools']);
    expect(report.scopeStrategy.waves).toEqual([['analytics', 'tools']]);
    expect(report.scopeStrategy.summary).toBe(
      'Single wave: 2 independent modules can change in parallel; analytics and tools import each other, so they share a wave and need one agreed contract',
    );
    expect(report.coordinationPoints[0]!.description).toMatch(/^analytics and tools import each other/);
  });

  it('takes every module when the request names none, and is deterministic', async () => {
    const first = await analyze('Make everything nicer');
    const second = await analyzeRepository({ repo: root, request: 'Make everything nicer', analysisId: 'other', createdAt: 'later' });
    expect(first.affectedModules).toEqual(first.modules.map((module) => module.name));
    expect(first.scopeStrategy.summary).toMatch(/the request names no module, so every module is in scope/);
    expect({ ...second, analysisId: first.analysisId, createdAt: first.createdAt }).toEqual(first);
  });
});
