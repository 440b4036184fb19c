import { describe, expect, it } from 'vitest';
import { renderAnalysisMarkdown } from '../../../src/core/analysis/analysis-markdown.js';
import type { AnalysisReport } from '../../../src/core/analysis/types.js';

const report: AnalysisReport = {
  analysisId: 'an_42',
  repo: '/repos/shop',
  request: 'Fix the crash in auth\nand the UI',
  createdAt: '2025-01-01T00:00:00.000Z',
  isGitRepo: true,
  headCommit: 'abc123',
  branch: 'main',
  totals: { files: 10, lines: 200, binaryFiles: 1, symlinks: 1, unreadableFiles: 0 },
  languages: [{ name: 'TypeScript', files: 8, lines: 180 }],
  manifests: [{ path: 'package.json', kind: 'npm', name: 'shop' }],
  modules: [
    { name: 'src/auth', scope: 'src/auth/', files: 4, lines: 90, languages: ['TypeScript'] },
    { name: 'src/a|b', scope: 'src/a|b/', files: 1, lines: 1, languages: ['TypeScript'] },
  ],
  entryPoints: [{ path: 'src/index.ts', reason: 'conventional name index.ts' }],
  testDirs: ['tests/'],
  importGraph: [{ from: 'src/ui', to: 'src/auth', imports: 3 }],
  taskType: 'BUG',
  taskTypeReason: 'matched "fix", "crash" (BUG)',
  affectedModules: ['src/auth', 'src/ui'],
  coordinationPoints: [{ modules: ['src/auth', 'src/ui'], description: 'src/ui imports src/auth (3 imports)' }],
  scopeStrategy: { summary: 'Multi-wave: 1 independent module in wave 1, integration in wave 2 (src/ui)', waves: [['src/auth'], ['src/ui']] },
  warnings: ['secret/: permission denied (EACCES)'],
  markdownPath: 'docs/analyses/ANALYSIS_an_42.md',
};

describe('renderAnalysisMarkdown', () => {
  const markdown = renderAnalysisMarkdown(report);

  it('has a titled section for every part of the report', () => {
    expect(markdown.startsWith('# Analysis an_42\n')).toBe(true);
    for (const heading of ['Request', 'Totals', 'Languages', 'Manifests', 'Modules', 'Entry points', 'Test folders', 'Import graph', 'Affected modules', 'Coordination points', 'Scope strategy', 'Warnings']) {
      expect(markdown).toContain(`\n## ${heading}\n`);
    }
    expect(markdown).toContain('> Fix the crash in auth\n> and the UI');
    expect(markdown).toContain('**Task type:** BUG (matched "fix", "crash" (BUG))');
    expect(markdown).toContain('| src/ui | src/auth | 3 |');
    expect(markdown).toContain('- Wave 2: src/ui');
    expect(markdown).toContain('- secret/: permission denied (EACCES)');
    expect(markdown.endsWith('\n')).toBe(true);
  });

  it('escapes pipes inside table cells', () => {
    expect(markdown).toContain('| src/a\\|b | `src/a\\|b/` | 1 | 1 | TypeScript |');
  });

  it('says so when a list is empty', () => {
    const empty = renderAnalysisMarkdown({ ...report, coordinationPoints: [], warnings: [], importGraph: [] });
    expect(empty).toContain('None: the affected modules do not import each other.');
    expect(empty).toContain('No imports between modules.');
  });
});
