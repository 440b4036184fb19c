import { describe, expect, it } from 'vitest';
import {
  accomplishmentReportSchema,
  buildAccomplishmentReport,
  renderAccomplishmentMarkdown,
  sharedTreeNote,
  type ObjectiveFacts,
  type RunFacts,
} from '../../../src/core/report/accomplishment-report.js';
import type { AttemptRow, VerifyResult } from '../../../src/store/run-records.js';

function objective(id: string, fields: Partial<ObjectiveFacts>): ObjectiveFacts {
  return {
    id,
    title: `Objective ${id}`,
    wave: 1,
    state: 'merged',
    workerId: 'builtin',
    attempts: 1,
    files: [],
    violations: [],
    error: null,
    reply: null,
    startedAt: '2025-06-01T10:00:00.000Z',
    finishedAt: '2025-06-01T10:00:30.000Z',
    dependsOn: [],
    ...fields,
  };
}

function attempt(objectiveId: string, usage: Pick<AttemptRow, 'inputTokens' | 'outputTokens' | 'costUsd'>): AttemptRow {
  return { objectiveId, attempt: 1, workerId: 'codex', outcome: 'completed', error: null, sessionId: null, malformedLines: null, startedAt: '2025-06-01T10:00:00.000Z', finishedAt: null, ...usage };
}

const passed = (command = 'npm test'): VerifyResult => ({ command, passed: true, exitCode: 0, durationMs: 2100, outputTail: 'ok', timedOut: false });

/** Six objectives in three waves: three merge, one breaks its scope, one waits on it, one asks for more scope. */
function facts(overrides: Partial<RunFacts> = {}): RunFacts {
  return {
    runId: 'run-1',
    planId: 'plan-1',
    repo: '/repos/shop',
    request: 'Add JWT login to auth',
    taskType: 'FEATURE',
    status: 'completed',
    mode: 'worktree',
    integrationBranch: 'ap/run-1',
    baseBranch: 'main',
    baseCommit: 'abc1234',
    headCommit: 'def5678',
    startedAt: '2025-06-01T10:00:00.000Z',
    finishedAt: '2025-06-01T10:05:00.000Z',
    objectives: [
      objective('o1', { files: ['src/auth/token.ts', 'src/auth/login.ts'], reply: { status: 'COMPLETED', changeSummary: ['added login'], testStatus: 'passed', commitMessage: null, failureReport: null, requestedScopeAddition: [], reason: null } }),
      objective('o2', { files: ['src/ui/header.tsx'] }),
      objective('o3', { wave: 2, state: 'failed', files: ['src/db/schema.ts', 'src/auth/extra.ts'], violations: [{ file: 'src/db/schema.ts', reason: 'outside_touch' }], error: 'changed src/db/schema.ts outside its scope' }),
      objective('o4', { wave: 3, state: 'blocked', dependsOn: ['o3', 'o1'], workerId: null, attempts: 0, startedAt: null, finishedAt: null }),
      objective('o5', {
        wave: 2,
        state: 'blocked',
        reply: { status: 'BLOCKED', changeSummary: [], testStatus: null, commitMessage: null, failureReport: null, requestedScopeAddition: ['src/config/'], reason: 'the token secret lives in config.' },
      }),
      objective('o6', { wave: 2, files: ['src/auth/login.ts', 'test/auth.test.ts'] }),
    ],
    waves: [
      { wave: 1, status: 'done', verify: passed() },
      { wave: 2, status: 'done', verify: passed() },
      { wave: 3, status: 'done', verify: null },
    ],
    attempts: [attempt('o1', { inputTokens: 1000, outputTokens: 200, costUsd: 0.1 }), attempt('o1', { inputTokens: 500, outputTokens: null, costUsd: 0.2 }), attempt('o2', { inputTokens: null, outputTokens: null, costUsd: null })],
    ...overrides,
  };
}

describe('buildAccomplishmentReport', () => {
  it('counts outcomes and says them in the summary', () => {
    const report = buildAccomplishmentReport(facts());
    expect(report.counts).toEqual({ total: 6, landed: 3, failed: 1, blocked: 2, cancelled: 0, rolledBack: 0, noChanges: 0, notMerged: 0, unfinished: 0 });
    expect(report.summary).toBe('3 of 6 objectives merged into ap/run-1 in 3 waves; 1 failed (scope violation), 2 blocked. Verify passed.');
    expect(() => accomplishmentReportSchema.parse(report)).not.toThrow();
  });

  it('lists files changed by merged objectives only, sorted and once', () => {
    const report = buildAccomplishmentReport(facts());
    expect(report.filesChanged).toEqual(['src/auth/login.ts', 'src/auth/token.ts', 'src/ui/header.tsx', 'test/auth.test.ts']);
    expect(report.filesChanged).not.toContain('src/db/schema.ts');
    expect(report.commitMessage).toContain('Modified files: 4');
  });

  it('explains blocked objectives: unmerged dependencies and scope requests', () => {
    const report = buildAccomplishmentReport(facts());
    const byId = new Map(report.objectives.map((item) => [item.id, item]));
    expect(byId.get('o4')?.blockedBy).toEqual(['o3']);
    expect(byId.get('o5')?.requestedScopeAddition).toEqual(['src/config/']);
    expect(byId.get('o5')?.reason).toBe('the token secret lives in config.');
    expect(report.blocked).toEqual([
      { objective: 'o4', why: 'Waits on o3, which did not merge.', requestedScopeAddition: [] },
      { objective: 'o5', why: 'The worker asked for a wider scope: the token secret lives in config.', requestedScopeAddition: ['src/config/'] },
    ]);
    expect(report.scopeViolations).toEqual([{ objective: 'o3', file: 'src/db/schema.ts', reason: 'outside_touch', entry: null }]);
  });

  it('takes test status and change summary from the reply, and durations from timestamps', () => {
    const report = buildAccomplishmentReport(facts());
    const first = report.objectives[0]!;
    expect(first).toMatchObject({ testStatus: 'passed', changeSummary: ['added login'], durationMs: 30_000, files: ['src/auth/login.ts', 'src/auth/token.ts'] });
    expect(report.objectives[3]!.durationMs).toBeNull();
    expect(report.durationMs).toBe(300_000);
  });

  it('sums usage per objective and in total, null where nobody reported', () => {
    const { usage } = buildAccomplishmentReport(facts());
    expect(usage.total).toEqual({ inputTokens: 1500, outputTokens: 200, costUsd: 0.3 });
    expect(usage.objectives.find((item) => item.objective === 'o1')).toEqual({ objective: 'o1', inputTokens: 1500, outputTokens: 200, costUsd: 0.3 });
    expect(usage.objectives.find((item) => item.objective === 'o2')).toEqual({ objective: 'o2', inputTokens: null, outputTokens: null, costUsd: null });
    const silent = buildAccomplishmentReport(facts({ attempts: [attempt('o1', { inputTokens: null, outputTokens: null, costUsd: null })] }));
    expect(silent.usage.total).toEqual({ inputTokens: null, outputTokens: null, costUsd: null });
    expect(silent.notes).toContain('No worker reported token use or cost.');
    const noisy = buildAccomplishmentReport(facts({ attempts: [{ ...attempt('o1', { inputTokens: 5, outputTokens: 2, costUsd: null }), malformedLines: 3 }] }));
    expect(noisy.notes).toContain("Some agent output lines were not events of the agent's stream and were skipped: o1 (attempt 1, worker codex: 3).");
  });

  it('tells how to apply the branch, and nothing when nothing merged', () => {
    expect(buildAccomplishmentReport(facts()).howToApply).toBe('From `main` in /repos/shop, run `git merge ap/run-1`.');
    const nothing = facts({ objectives: [objective('o1', { state: 'failed', files: ['src/a.ts'] })], status: 'failed' });
    const report = buildAccomplishmentReport(nothing);
    expect(report.howToApply).toBeNull();
    expect(report.filesChanged).toEqual([]);
    expect(report.summary).toBe('Run failed: 0 of 1 objective merged into ap/run-1 in 3 waves; 1 failed. Verify passed.');
  });

  it('reports a failed verify and its rollback', () => {
    const failed: VerifyResult = { command: 'npm test', passed: false, exitCode: 1, durationMs: 900, outputTail: '1 failing', timedOut: false };
    const report = buildAccomplishmentReport(
      facts({
        objectives: [objective('o1', { files: ['src/a/x.ts'] }), objective('o2', { wave: 2, state: 'rolled_back', files: ['src/b/y.ts'] })],
        waves: [
          { wave: 1, status: 'done', verify: passed() },
          { wave: 2, status: 'rolled_back', verify: failed },
        ],
      }),
    );
    expect(report.summary).toBe('1 of 2 objectives merged into ap/run-1 in 2 waves; 1 rolled back. Verify failed in wave 2 (rolled back).');
    expect(report.verify.map((result) => [result.wave, result.passed, result.rolledBack])).toEqual([
      [1, true, false],
      [2, false, true],
    ]);
    expect(report.notes).toContain('Wave 2 was rolled back after verify failed: its objectives are not in the result.');
    // What stands on the branch is wave 1, whose verify passed.
    expect(report.commitMessage).toContain('Tests: passed');
    expect(report.filesChanged).toEqual(['src/a/x.ts']);
  });

  it('says in shared-tree mode that changes could not be isolated and are already in the tree', () => {
    const report = buildAccomplishmentReport(
      facts({
        mode: 'shared-tree',
        integrationBranch: null,
        baseBranch: null,
        baseCommit: null,
        headCommit: null,
        objectives: [objective('o1', { state: 'succeeded', files: ['lib/a.js'] }), objective('o2', { state: 'failed', files: ['lib/b.js'] })],
        waves: [{ wave: 1, status: 'done', verify: null }],
      }),
    );
    expect(report.notes).toContain(sharedTreeNote);
    expect(report.howToApply).toBe('The changes are already in the working tree at /repos/shop; there is no branch to merge. Review them before you commit.');
    expect(report.filesChanged).toEqual(['lib/a.js']);
    expect(report.summary).toBe('1 of 2 objectives landed in the shared working tree in 1 wave; 1 failed. No verify command ran.');
    expect(report.commitMessage).toContain('Tests: not run');
  });
});

describe('renderAccomplishmentMarkdown', () => {
  const tricky = facts({
    objectives: [objective('o1', { title: 'Parse a | b\nsafely', files: ['src/a/x.ts'] })],
    waves: [{ wave: 1, status: 'done', verify: { ...passed(), outputTail: 'before\n```\n# injected heading\n````\nafter' } }],
    request: 'Add `code` with ```fences```',
  });
  const markdown = renderAccomplishmentMarkdown(buildAccomplishmentReport(tricky));

  it('has the sections a reader looks for', () => {
    for (const heading of ['# Accomplishment report run-1', '## Branch and how to apply', '## Objectives', '## Files changed', '## Verify', '## Scope violations', '## Blocked objectives and scope requests', '## Token use and cost', '## Commit message']) {
      expect(markdown.split('\n')).toContain(heading);
    }
    expect(markdown).toContain('`git merge ap/run-1`');
  });

  it('escapes pipes and newlines in table cells', () => {
    expect(markdown).toContain('| o1 | Parse a \\| b safely | 1 | merged |');
  });

  it('neutralizes backtick fences inside fenced blocks', () => {
    const lines = markdown.split('\n');
    const fences = lines.filter((line) => /^`{3,}/.test(line));
    // Two blocks (verify output, commit message), each opened and closed once.
    expect(fences).toEqual(['```text', '```', '```text', '```']);
    expect(markdown).toContain('# injected heading');
    expect(markdown).toContain('`\u200b`\u200b`');
  });

  it('renders the commit message in a fenced block', () => {
    const block = /## Commit message\n\n```text\n([\s\S]*?)\n```\n$/.exec(markdown);
    expect(block?.[1]).toMatch(/^feat\(a\): add `code` with /);
  });
});
