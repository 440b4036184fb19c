import { describe, expect, it } from 'vitest';
import type { TaskType } from '../../../src/core/analysis/types.js';
import { buildAccomplishmentReport, type ObjectiveFacts, type RunFacts } from '../../../src/core/report/accomplishment-report.js';
import { planDocumentation, upsertOwnedSection } from '../../../src/core/report/session-docs.js';
import type { ObjectiveState } from '../../../src/store/run-records.js';

function run(runId: string, taskType: TaskType, objectives: [id: string, title: string, state: ObjectiveState][], request = 'Add JWT login'): RunFacts {
  return {
    runId,
    planId: 'plan-1',
    repo: '/repos/shop',
    request,
    taskType,
    status: 'completed',
    mode: 'worktree',
    integrationBranch: `ap/${runId}`,
    baseBranch: 'main',
    baseCommit: 'abc',
    headCommit: 'def',
    startedAt: '2025-06-01T10:00:00.000Z',
    finishedAt: '2025-06-02T10:00:00.000Z',
    objectives: objectives.map(
      ([id, title, state]): ObjectiveFacts => ({ id, title, wave: 1, state, workerId: 'w', attempts: 1, files: [`src/${id}/a.ts`], violations: [], error: state === 'failed' ? 'tests failed' : null, reply: null, startedAt: null, finishedAt: null, dependsOn: [] }),
    ),
    waves: [{ wave: 1, status: 'done', verify: null }],
    attempts: [],
  };
}

const noFiles = { readme: null, prd: null };

describe('planDocumentation', () => {
  it('always writes an AGENTS.md entry with outcomes and learnings', () => {
    const plan = planDocumentation(buildAccomplishmentReport(run('run-1', 'BUG', [['o1', 'Fix', 'merged'], ['o2', 'Other', 'failed']])), noFiles);
    expect(plan.agents).toMatchObject({ runId: 'run-1', date: '2025-06-02', request: 'Add JWT login', objectives: [{ id: 'o1', outcome: 'merged' }, { id: 'o2', outcome: 'failed' }] });
    expect(plan.agents.learnings).toContain('o2 failed: tests failed');
  });

  it('changes neither README nor PRD for a bug fix', () => {
    const plan = planDocumentation(buildAccomplishmentReport(run('run-1', 'BUG', [['o1', 'Fix login', 'merged']])), noFiles);
    expect(plan.readme).toBeNull();
    expect(plan.prd).toBeNull();
  });

  it('changes neither README nor PRD when nothing merged', () => {
    const plan = planDocumentation(buildAccomplishmentReport(run('run-1', 'FEATURE', [['o1', 'Login', 'failed'], ['o2', 'Logout', 'blocked']])), noFiles);
    expect(plan.readme).toBeNull();
    expect(plan.prd).toBeNull();
  });

  it('lists merged features in README and the request in PRD', () => {
    const plan = planDocumentation(buildAccomplishmentReport(run('run-1', 'FEATURE', [['o1', 'Token login', 'merged'], ['o2', 'Audit log', 'failed']])), noFiles);
    expect(plan.readme).toEqual({ id: 'features', title: 'Features', body: '- Token login' });
    expect(plan.prd).toEqual({ id: 'requirements', title: 'Requirements', body: '- Add JWT login (run run-1)' });
  });

  it('updates README but not PRD for an enhancement', () => {
    const plan = planDocumentation(buildAccomplishmentReport(run('run-1', 'ENHANCEMENT', [['o1', 'Faster search', 'merged']], 'Improve search')), noFiles);
    expect(plan.readme?.body).toBe('- Faster search');
    expect(plan.prd).toBeNull();
  });

  it('accumulates features and requirements across runs without duplicates', () => {
    let readme: string | null = '# Shop\n\nA shop.\n';
    let prd: string | null = null;
    const apply = (facts: RunFacts): void => {
      const plan = planDocumentation(buildAccomplishmentReport(facts), { readme, prd });
      if (plan.readme) readme = upsertOwnedSection(readme, plan.readme).content;
      if (plan.prd) prd = upsertOwnedSection(prd, plan.prd).content;
    };
    apply(run('run-1', 'FEATURE', [['o1', 'Token login', 'merged'], ['o2', 'Logout', 'merged']]));
    apply(run('run-2', 'FEATURE', [['o1', 'token login', 'merged'], ['o2', 'Password reset', 'merged']], 'Add password reset'));
    const afterTwo = { readme, prd };
    apply(run('run-2', 'FEATURE', [['o1', 'token login', 'merged'], ['o2', 'Password reset', 'merged']], 'Add password reset'));
    expect({ readme, prd }).toEqual(afterTwo);
    expect(readme).toBe(
      '# Shop\n\nA shop.\n\n<!-- ap-orchestrator:features:start -->\n## Features\n\n- Token login\n- Logout\n- Password reset\n<!-- ap-orchestrator:features:end -->\n',
    );
    expect(prd).toContain('- Add JWT login (run run-1)\n- Add password reset (run run-2)\n');
    apply(run('run-3', 'FEATURE', [['o1', 'Again', 'merged']], 'add  JWT login'));
    expect(prd).not.toContain('run-3');
  });
});
