import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinTeam, eventually, isProcessAlive, objectiveOf, processesMentioning, recordedWorkerPids, startRun, waitForRunEnd, type StatusResult } from '../helpers/run-helpers.js';
import { connectToServer, textOf, type ServerConnection } from '../helpers/stdio-server.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

const files = { 'src/a/index.ts': 'export const a = 1;\n', 'src/b/index.ts': 'export const b = 1;\n', 'README.md': '# R\n' };

describe('execute: cancel, crash and resume, non-git targets, bad team.json', () => {
  const repos: TempRepo[] = [];
  const servers: ServerConnection[] = [];

  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close().catch(() => {});
    for (const repo of repos.splice(0)) {
      expect(processesMentioning(join(repo.root, '.ap/logs')), 'worker processes left behind').toEqual([]);
      repo.remove();
    }
  });

  async function connect(repo: TempRepo): Promise<ServerConnection> {
    const server = await connectToServer({ repo: repo.root });
    servers.push(server);
    return server;
  }

  function makeRepo(team: string, options: { git?: boolean } = {}): TempRepo {
    const repo = createTempRepo({ ...files, 'team.json': team }, options);
    repos.push(repo);
    return repo;
  }

  it('cancels a run mid-wave and leaves no worker process alive', async () => {
    const repo = makeRepo(builtinTeam());
    const server = await connect(repo);
    const runId = await startRun(server, repo.root, [
      { id: 'one', title: 'One', scopeTouch: ['src/a/'], edits: [{ op: 'delay', ms: 20_000 }] },
      { id: 'two', title: 'Two', scopeTouch: ['src/b/'], edits: [{ op: 'delay', ms: 20_000 }] },
      { id: 'three', title: 'Three', scopeTouch: ['README.md'], dependsOn: ['one'], edits: [] },
    ]);
    await eventually(() => recordedWorkerPids(repo.root, runId).filter(isProcessAlive).length === 2, 10_000, 'two workers');
    // Workers boot as the run starts: mid-wave means both objectives are running.
    for (let running = 0; running < 2; ) {
      const status = (await server.call('status', { runId, waitSeconds: 1 })).structuredContent as unknown as StatusResult;
      running = ['one', 'two'].filter((id) => objectiveOf(status, id).state === 'running').length;
    }
    const pids = recordedWorkerPids(repo.root, runId);
    const started = Date.now();
    const cancelled = await server.call('cancel', { runId });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(cancelled.structuredContent).toMatchObject({ status: 'cancelled' });
    const status = await waitForRunEnd(server, runId);
    expect(objectiveOf(status, 'one').state).toBe('cancelled');
    expect(objectiveOf(status, 'three').state).not.toBe('merged');
    for (const pid of pids) expect(isProcessAlive(pid), `worker ${pid}`).toBe(false);
    expect(processesMentioning(join(repo.root, '.ap/logs'))).toEqual([]);
    expect((await server.call('report', { runId })).structuredContent).toMatchObject({ status: 'cancelled' });
  });

  it('resumes a run after the server was killed with SIGKILL: finished work is kept, interrupted work restarts', async () => {
    const repo = makeRepo(builtinTeam());
    const first = await connect(repo);
    const runId = await startRun(first, repo.root, [
      { id: 'quick', title: 'Quick', scopeTouch: ['src/a/'], edits: [{ op: 'write', path: 'src/a/quick.ts', content: 'quick\n' }] },
      { id: 'slow', title: 'Slow', scopeTouch: ['src/b/'], dependsOn: ['quick'], edits: [{ op: 'delay', ms: 3_000 }, { op: 'write', path: 'src/b/slow.ts', content: 'slow\n' }] },
    ]);
    for (let tries = 0; ; tries += 1) {
      const status = await first.call('status', { runId, waitSeconds: 1 });
      const slow = (status.structuredContent!.waves as { objectives: { id: string; state: string }[] }[]).flatMap((wave) => wave.objectives).find((objective) => objective.id === 'slow')!;
      if (slow.state === 'running' && recordedWorkerPids(repo.root, runId).some(isProcessAlive)) break;
      if (tries > 100) throw new Error('the slow objective never started');
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(first.transport.pid!, 'SIGKILL');
    await first.close().catch(() => {});

    const second = await connect(repo);
    const interrupted = (await second.call('status', { runId })).structuredContent!;
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.error).toContain('resume it with execute {runId, resume: true}');
    const resumed = await second.call('execute', { runId, resume: true });
    expect(resumed.isError, textOf(resumed)).toBeFalsy();
    const status = await waitForRunEnd(second, runId);
    expect(status.status, second.stderr().split('\n').filter((line) => /ERROR|WARN/.test(line)).join('\n').slice(0, 3000)).toBe('completed');
    expect(objectiveOf(status, 'quick').attempts).toBe(1);
    expect(objectiveOf(status, 'slow').attempts).toBe(2);
    expect(repo.git('show', `ap/${runId}:src/a/quick.ts`)).toBe('quick\n');
    expect(repo.git('show', `ap/${runId}:src/b/slow.ts`)).toBe('slow\n');
    for (const pid of recordedWorkerPids(repo.root, runId)) expect(isProcessAlive(pid), `worker ${pid}`).toBe(false);
    const again = await second.call('execute', { runId, resume: true });
    expect(textOf(again)).toContain('completed; there is nothing to resume');
  });

  it('ends an objective that overruns its timeout, retries it once, then fails it', async () => {
    const repo = makeRepo(builtinTeam({ workers: 2, timeoutSeconds: 1 }));
    const server = await connect(repo);
    const runId = await startRun(server, repo.root, [{ id: 'hangs', title: 'Hangs', scopeTouch: ['src/a/'], edits: [{ op: 'delay', ms: 30_000 }] }]);
    const status = await waitForRunEnd(server, runId, 30_000);
    const hangs = objectiveOf(status, 'hangs');
    expect(hangs.state).toBe('failed');
    expect(hangs.attempts).toBe(2);
    expect(hangs.error).toContain('did not finish within 1 s (after 2 attempts)');
    for (const pid of recordedWorkerPids(repo.root, runId)) expect(isProcessAlive(pid), `worker ${pid}`).toBe(false);
  });

  it('runs a non-git folder in one shared tree and says what that means', async () => {
    const repo = makeRepo(builtinTeam(), { git: false });
    const server = await connect(repo);
    const runId = await startRun(server, repo.root, [
      { id: 'a', title: 'A', scopeTouch: ['src/a/'], edits: [{ op: 'write', path: 'src/a/new.ts', content: 'new\n' }] },
      { id: 'b', title: 'B', scopeTouch: ['src/b/'], edits: [{ op: 'write', path: 'src/b/new.ts', content: 'new\n' }, { op: 'write', path: 'stray.txt', content: 'stray\n' }] },
      { id: 'c', title: 'C', scopeTouch: ['src/c/'], edits: [{ op: 'delay', ms: 10 }] },
      { id: 'd', title: 'D', scopeTouch: ['src/d/'], dependsOn: ['c'], edits: [{ op: 'write', path: 'src/d/new.ts', content: 'new\n' }] },
    ]);
    const status = await waitForRunEnd(server, runId);
    expect(readFileSync(join(repo.root, 'src/a/new.ts'), 'utf8')).toBe('new\n');
    expect(objectiveOf(status, 'a').files).toEqual(['src/a/new.ts']);
    expect(objectiveOf(status, 'b').files).toEqual(['src/b/new.ts']);
    // Nothing in its scope changed: no_changes, and what depends on it does not run.
    expect(objectiveOf(status, 'c')).toMatchObject({ state: 'no_changes', files: [], error: expect.stringMatching(/^Worker "builtin-\d" said it was done but changed no file/) });
    expect(objectiveOf(status, 'd')).toMatchObject({ state: 'blocked', error: 'Blocked: "c" did not merge.' });
    const report = (await server.call('report', { runId })).structuredContent!;
    expect(report.mode).toBe('shared-tree');
    expect((report.notes as string[]).join(' ')).toContain('not a git repository');
    expect(report.scopeViolations).toEqual(expect.arrayContaining([expect.objectContaining({ file: 'stray.txt' })]));
  });

  it.each([
    ['malformed JSON', '{"workers": [', ['Not valid JSON']],
    ['a missing environment variable', JSON.stringify({ workers: [{ id: 'w', agent: 'mcp', command: 'x', env: { KEY: '${AP_TEST_SURELY_UNSET}' } }] }), ['workers[0].env.KEY', 'Worker "w" needs the environment variable AP_TEST_SURELY_UNSET', 'Fix: Export AP_TEST_SURELY_UNSET']],
    ['an unknown agent', JSON.stringify({ workers: [{ id: 'w', agent: 'skynet' }] }), ['workers[0].agent', 'Fix: Use one of']],
    ['an unknown field', JSON.stringify({ workers: [{ id: 'w', agent: 'builtin', maxConcurency: 2 }] }), ['Unknown field "maxConcurency"']],
    ['a duplicate worker id', JSON.stringify({ workers: [{ id: 'w', agent: 'builtin' }, { id: 'w', agent: 'builtin' }] }), ['workers[1].id', 'used twice']],
    ['no enabled worker', JSON.stringify({ workers: [{ id: 'w', agent: 'builtin', enabled: false }] }), ['No worker is enabled']],
    ['a bad maxConcurrent', JSON.stringify({ workers: [{ id: 'w', agent: 'builtin', maxConcurrent: 0 }] }), ['workers[0].maxConcurrent']],
    ['an agent CLI that is not installed', JSON.stringify({ workers: [{ id: 'codex-1', agent: 'codex', command: 'ap-no-such-codex' }] }), ['Worker "codex-1" needs Codex, but "ap-no-such-codex" is not installed or not on PATH.', 'Fix: Install it (npm install -g @openai/codex)']],
    ['an MCP worker without a command', JSON.stringify({ workers: [{ id: 'w', agent: 'mcp' }] }), ['workers[0].command', 'has no command']],
  ])('names the file, the field and the fix for a team.json with %s', async (_name, content, expected) => {
    const repo = makeRepo(builtinTeam());
    const server = await connect(repo);
    const analysis = await server.call('analyze', { repo: repo.root, request: 'x' });
    const plan = await server.call('plan', { analysisId: analysis.structuredContent!.analysisId, objectives: [{ id: 'a', title: 'A', scopeTouch: ['src/a/'] }], approve: true });
    const badTeam = join(repo.root, 'bad-team.json');
    writeFileSync(badTeam, content);
    const result = await server.call('execute', { planId: plan.structuredContent!.planId, team: badTeam });
    expect(result.isError).toBe(true);
    const text = textOf(result);
    expect(text).toContain(badTeam);
    for (const fragment of expected) expect(text).toContain(fragment);
    // The server is fine afterwards.
    expect((await server.client.listTools()).tools.length).toBe(7);
  });
});
