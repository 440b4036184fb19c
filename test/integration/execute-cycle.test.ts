import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinTeam, eventually, objectiveOf, processesMentioning, recordedWorkerPids, isProcessAlive, startRun, waitForRunEnd } from '../helpers/run-helpers.js';
import { connectToServer, textOf, type ServerConnection } from '../helpers/stdio-server.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

const baseFiles = {
  'src/auth/index.ts': 'export const auth = 1;\n',
  'src/ui/app.ts': "import { auth } from '../auth/index.js';\nexport const app = auth;\n",
  'src/db/index.ts': 'export const db = 1;\n',
  'README.md': '# Sample\n',
};

describe('execute: the whole cycle with built-in workers over stdio', () => {
  let repo: TempRepo | undefined;
  let server: ServerConnection | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
    if (repo) expect(processesMentioning(join(repo.root, '.ap/logs')), 'worker processes left behind').toEqual([]);
    repo?.remove();
    repo = undefined;
  });

  async function setUp(team: string, files: Record<string, string> = baseFiles) {
    repo = createTempRepo({ ...files, 'team.json': team });
    server = await connectToServer({ repo: repo.root });
    return { repo, server };
  }

  it('merges exactly the scripted files into ap/<runId> and leaves the user branch alone', async () => {
    const { repo, server } = await setUp(builtinTeam({ verify: 'test -f src/auth/token.ts' }));
    const headBefore = repo.git('rev-parse', 'HEAD').trim();
    const runId = await startRun(server, repo.root, [
      { id: 'auth', title: 'Add tokens', scopeTouch: ['src/auth/'], edits: [{ op: 'write', path: 'src/auth/token.ts', content: 'export const token = 1;\n' }, { op: 'append', path: 'src/auth/index.ts', content: "export * from './token.js';\n" }] },
      { id: 'db', title: 'Add sessions', scopeTouch: ['src/db/'], edits: [{ op: 'write', path: 'src/db/sessions.ts', content: 'export const sessions = [];\n' }] },
      { id: 'ui', title: 'Use tokens', scopeTouch: ['src/ui/app.ts'], dependsOn: ['auth'], edits: [{ op: 'replace', path: 'src/ui/app.ts', search: 'export const app = auth;', replace: 'export const app = auth + 1;' }] },
    ]);
    const status = await waitForRunEnd(server, runId);
    expect(status.status).toBe('completed');
    expect(status.waves.map((wave) => [wave.wave, wave.status])).toEqual([[1, 'done'], [2, 'done']]);

    const branch = `ap/${runId}`;
    const changed = repo.git('diff', '--name-only', headBefore, branch).trim().split('\n').sort();
    const scripted = ['src/auth/index.ts', 'src/auth/token.ts', 'src/db/sessions.ts', 'src/ui/app.ts'];
    expect(changed.filter((file) => !['AGENTS.md', 'README.md', 'PRD.md'].includes(file))).toEqual(scripted);
    expect(repo.git('show', `${branch}:src/auth/token.ts`)).toBe('export const token = 1;\n');
    expect(repo.git('show', `${branch}:src/ui/app.ts`)).toContain('export const app = auth + 1;');
    expect(repo.git('show', `${branch}:AGENTS.md`)).toContain(`ap-session:${runId}:start`);

    // The user's checkout: same commit, same branch, no tracked change.
    expect(repo.git('rev-parse', 'HEAD').trim()).toBe(headBefore);
    expect(repo.git('symbolic-ref', '--short', 'HEAD').trim()).toBe('main');
    expect(repo.git('status', '--porcelain', '--untracked-files=no')).toBe('');
    expect(existsSync(join(repo.root, 'src/auth/token.ts'))).toBe(false);

    const report = await server.call('report', { runId });
    expect(report.structuredContent).toMatchObject({ status: 'completed', filesChanged: scripted, integrationBranch: branch });
    expect(String(report.structuredContent!.commitMessage)).toMatch(/^test: scripted test work\n\nObjectives completed:/);
    expect(readFileSync(join(repo.root, `docs/accomplishments/ACCOMPLISHMENT_${runId}.md`), 'utf8')).toContain('3 of 3 objectives merged');
    // Worktrees are gone; the merged objective branches live on only as merge parents.
    expect(existsSync(join(repo.root, `.ap/worktrees/${runId}`))).toBe(false);
    expect(repo.git('branch', '--list', `ap/${runId}--*`).trim()).toBe('');
  });

  it('catches an objective that writes outside its scope: not merged, reported with the file', async () => {
    const { repo, server } = await setUp(builtinTeam());
    const runId = await startRun(server, repo.root, [
      { id: 'rogue', title: 'Sneaky', scopeTouch: ['src/auth/'], edits: [{ op: 'write', path: 'src/auth/ok.ts', content: 'ok\n' }, { op: 'write', path: 'src/db/evil.ts', content: 'evil\n' }] },
      { id: 'fine', title: 'Fine', scopeTouch: ['src/ui/'], edits: [{ op: 'write', path: 'src/ui/ok.ts', content: 'ok\n' }] },
      { id: 'after-rogue', title: 'Needs rogue', scopeTouch: ['README.md'], dependsOn: ['rogue'], edits: [{ op: 'append', path: 'README.md', content: 'more\n' }] },
    ]);
    const status = await waitForRunEnd(server, runId);
    expect(status.status).toBe('failed');
    const rogue = objectiveOf(status, 'rogue');
    expect(rogue.state).toBe('failed');
    expect(rogue.violations).toEqual([{ file: 'src/db/evil.ts', reason: 'outside_touch' }]);
    expect(rogue.error).toContain('src/db/evil.ts is outside SCOPE_TOUCH');
    expect(rogue.attempts).toBe(1);
    expect(objectiveOf(status, 'fine').state).toBe('merged');
    expect(objectiveOf(status, 'after-rogue').state).toBe('blocked');

    const branch = `ap/${runId}`;
    expect(() => repo.git('show', `${branch}:src/db/evil.ts`)).toThrow();
    expect(() => repo.git('show', `${branch}:src/auth/ok.ts`)).toThrow();
    expect(repo.git('show', `${branch}:src/ui/ok.ts`)).toBe('ok\n');
    // The rogue branch is kept for inspection; the blocked objective never had one, the merged one's is gone.
    expect(repo.git('show', `ap/${runId}--rogue:src/db/evil.ts`)).toBe('evil\n');
    expect(repo.git('branch', '--list', `ap/${runId}--*`).split('\n').map((line) => line.trim()).filter(Boolean)).toEqual([`ap/${runId}--rogue`]);

    const report = (await server.call('report', { runId })).structuredContent!;
    expect(report.scopeViolations).toEqual([expect.objectContaining({ objective: 'rogue', file: 'src/db/evil.ts' })]);
    const events = (await server.call('status', { runId })).structuredContent!.events as { type: string; payload: Record<string, unknown> }[];
    expect(events.some((event) => event.type === 'scope_violation' && event.payload.file === 'src/db/evil.ts')).toBe(true);
  });

  it('retries an objective on another worker when its worker is killed with SIGKILL', async () => {
    const { repo, server } = await setUp(builtinTeam({ workers: 2 }));
    const runId = await startRun(server, repo.root, [
      { id: 'slow', title: 'Slow work', scopeTouch: ['src/auth/'], edits: [{ op: 'delay', ms: 2500 }, { op: 'write', path: 'src/auth/slow.ts', content: 'slow\n' }] },
    ]);
    let victim: { worker: string; pid: number } | undefined;
    await eventually(() => {
      const pids = recordedWorkerPids(repo.root, runId).filter(isProcessAlive);
      if (pids.length > 0) victim = { worker: '', pid: pids[0]! };
      return victim !== undefined;
    }, 10_000, 'the worker to start');
    await new Promise((resolve) => setTimeout(resolve, 500));
    process.kill(victim!.pid, 'SIGKILL');

    const status = await waitForRunEnd(server, runId);
    expect(status.status).toBe('completed');
    const slow = objectiveOf(status, 'slow');
    expect(slow.attempts).toBe(2);
    expect(repo.git('show', `ap/${runId}:src/auth/slow.ts`)).toBe('slow\n');
    const report = (await server.call('report', { runId })).structuredContent!;
    const objective = (report.objectives as { id: string; worker: string | null }[]).find((entry) => entry.id === 'slow')!;
    const events = (await server.call('status', { runId })).structuredContent!.events as { type: string; payload: Record<string, unknown> }[];
    const errors = events.filter((event) => event.type === 'worker_error');
    expect(errors[0]!.payload.error).toMatch(/exited \(signal SIGKILL\)/);
    expect(objective.worker).not.toBe(errors[0]!.payload.worker_id);
  });

  it('rolls a wave back when verify fails and says why', async () => {
    const { repo, server } = await setUp(builtinTeam({ verify: 'if [ -f src/db/broken.ts ]; then echo "broken file present"; exit 3; fi' }));
    const runId = await startRun(server, repo.root, [
      { id: 'good', title: 'Good', scopeTouch: ['src/auth/'], edits: [{ op: 'write', path: 'src/auth/good.ts', content: 'good\n' }] },
      { id: 'bad', title: 'Bad', scopeTouch: ['src/db/'], edits: [{ op: 'write', path: 'src/db/broken.ts', content: 'broken\n' }] },
      { id: 'later', title: 'Later', scopeTouch: ['src/ui/'], dependsOn: ['good'], edits: [{ op: 'write', path: 'src/ui/later.ts', content: 'later\n' }] },
    ]);
    const status = await waitForRunEnd(server, runId);
    expect(status.status).toBe('failed');
    expect(status.waves[0]!.status).toBe('rolled_back');
    expect(objectiveOf(status, 'good').state).toBe('rolled_back');
    expect(objectiveOf(status, 'bad').state).toBe('rolled_back');
    expect(objectiveOf(status, 'later').state).toBe('blocked');
    // Nothing of the wave reached the integration branch.
    expect(repo.git('rev-parse', `ap/${runId}`).trim()).toBe(repo.git('rev-parse', 'main').trim());

    const report = (await server.call('report', { runId })).structuredContent!;
    const verify = (report.verify as { wave: number; passed: boolean; exitCode: number; outputTail: string; rolledBack: boolean }[])[0]!;
    expect(verify).toMatchObject({ wave: 1, passed: false, exitCode: 3, rolledBack: true });
    expect(verify.outputTail).toContain('broken file present');
    expect(String(report.summary)).toMatch(/verify/i);
  });

  it('marks an objective blocked when its worker asks for a larger scope, and surfaces the request', async () => {
    const { repo, server } = await setUp(builtinTeam());
    const runId = await startRun(server, repo.root, [
      { id: 'needs-more', title: 'Needs db too', scopeTouch: ['src/auth/'], edits: [{ op: 'block', requestedScope: ['src/db/index.ts'], reason: 'the session type lives in db' }] },
    ]);
    const status = await waitForRunEnd(server, runId);
    expect(objectiveOf(status, 'needs-more').state).toBe('blocked');
    const report = (await server.call('report', { runId })).structuredContent!;
    expect(report.blocked).toEqual([expect.objectContaining({ objective: 'needs-more', requestedScopeAddition: ['src/db/index.ts'] })]);
    expect(textOf(await server.call('report', { runId }))).toBeTruthy();
  });

  it('waits for a short run when asked, sending progress notifications', async () => {
    const { repo, server } = await setUp(builtinTeam());
    const analysis = await server.call('analyze', { repo: repo.root, request: 'x' });
    const plan = await server.call('plan', {
      analysisId: analysis.structuredContent!.analysisId,
      approve: true,
      objectives: [
        { id: 'one', title: 'One', scopeTouch: ['src/auth/'], edits: [{ op: 'write', path: 'src/auth/one.ts', content: '1\n' }] },
        { id: 'two', title: 'Two', scopeTouch: ['src/db/'], dependsOn: ['one'], edits: [{ op: 'write', path: 'src/db/two.ts', content: '2\n' }] },
      ],
    });
    const progress: { progress: number; total?: number; message?: string }[] = [];
    const result = await server.client.callTool({ name: 'execute', arguments: { planId: plan.structuredContent!.planId, wait: 30 } }, undefined, {
      onprogress: (update) => progress.push(update),
      timeout: 60_000,
    });
    expect(result.isError, textOf(result as never)).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ status: 'completed' });
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)).toMatchObject({ progress: 2, total: 2 });
  });

  it('ends an objective whose worker changed nothing as no_changes: not merged, reported, its dependants blocked', async () => {
    const { repo, server } = await setUp(builtinTeam());
    const runId = await startRun(server, repo.root, [
      { id: 'idle', title: 'Say done', scopeTouch: ['src/auth/'], edits: [{ op: 'delay', ms: 10 }] },
      { id: 'same', title: 'Write what is there', scopeTouch: ['src/db/'], edits: [{ op: 'write', path: 'src/db/index.ts', content: 'export const db = 1;\n' }] },
      { id: 'db', title: 'Add sessions', scopeTouch: ['src/ui/'], edits: [{ op: 'write', path: 'src/ui/sessions.ts', content: 'export const sessions = [];\n' }] },
      { id: 'after', title: 'Use auth', scopeTouch: ['src/ui/app.ts'], dependsOn: ['idle'], edits: [{ op: 'append', path: 'src/ui/app.ts', content: '// used\n' }] },
    ]);
    const status = await waitForRunEnd(server, runId);
    expect(status.status).toBe('failed');
    for (const id of ['idle', 'same']) {
      const objective = objectiveOf(status, id);
      expect(objective.state).toBe('no_changes');
      expect(objective.files).toEqual([]);
      expect(objective.error).toMatch(/^Worker "builtin-\d" said it was done but changed no file, so there is nothing to merge/);
    }
    expect(objectiveOf(status, 'db').state).toBe('merged');
    expect(objectiveOf(status, 'after')).toMatchObject({ state: 'blocked', error: 'Blocked: "idle" did not merge.' });
    // Only the objective that changed something left a branch behind it.
    expect(repo.git('for-each-ref', '--format=%(refname:short)', 'refs/heads/ap/').trim().split('\n').sort()).toEqual([`ap/${runId}`]);

    const report = await server.call('report', { runId });
    expect(report.structuredContent).toMatchObject({ counts: { landed: 1, noChanges: 2, blocked: 1 } });
    expect(String(report.structuredContent!.summary)).toMatch(/^Run failed: 1 of 4 objectives merged into ap\/run-[\w-]+ in 2 waves; 1 blocked, 2 changed no file/);
  });

  it('refuses a second run on the same repository while one is running', async () => {
    const { repo, server } = await setUp(builtinTeam());
    const objectives = [{ id: 'wait', title: 'Wait', scopeTouch: ['src/auth/'], edits: [{ op: 'delay', ms: 1500 }, { op: 'write', path: 'src/auth/waited.ts', content: '' }] }];
    const first = await startRun(server, repo.root, objectives);
    const analysis = await server.call('analyze', { repo: repo.root, request: 'again' });
    const plan = await server.call('plan', { analysisId: analysis.structuredContent!.analysisId, objectives, approve: true });
    const second = await server.call('execute', { planId: plan.structuredContent!.planId });
    expect(second.isError).toBe(true);
    expect(textOf(second)).toContain(`Run "${first}" is already running on ${repo.root}`);
    expect((await waitForRunEnd(server, first)).status).toBe('completed');
  });

  it('lets only one of two simultaneous executes on one repository start', async () => {
    const { repo, server } = await setUp(builtinTeam());
    const analysis = await server.call('analyze', { repo: repo.root, request: 'x' });
    const plans = await Promise.all(
      [1, 2].map((index) => server.call('plan', { analysisId: analysis.structuredContent!.analysisId, approve: true, objectives: [{ id: `o${index}`, title: 'O', scopeTouch: ['src/auth/'], edits: [{ op: 'delay', ms: 300 }] }] })),
    );
    const results = await Promise.all(plans.map((plan) => server.call('execute', { planId: plan.structuredContent!.planId })));
    expect(results.filter((result) => !result.isError)).toHaveLength(1);
    expect(textOf(results.find((result) => result.isError)!)).toMatch(/already running|being started/);
    await waitForRunEnd(server, String(results.find((result) => !result.isError)!.structuredContent!.runId));
  });

  it('refuses to execute a draft plan, and an agent no worker matches', async () => {
    const { repo, server } = await setUp(builtinTeam());
    const analysis = await server.call('analyze', { repo: repo.root, request: 'x' });
    const draft = await server.call('plan', { analysisId: analysis.structuredContent!.analysisId, objectives: [{ id: 'a', title: 'A', scopeTouch: ['src/'] }] });
    const refused = await server.call('execute', { planId: draft.structuredContent!.planId });
    expect(textOf(refused)).toContain('is a draft. Review it, then call `approve`');
    const unmatched = await server.call('plan', { analysisId: analysis.structuredContent!.analysisId, objectives: [{ id: 'a', title: 'A', scopeTouch: ['src/'], agent: 'codex' }], approve: true });
    const result = await server.call('execute', { planId: unmatched.structuredContent!.planId });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('objective "a", field agent: No enabled worker matches agent "codex"');
  });
});
