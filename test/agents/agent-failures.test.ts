import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOf } from '../helpers/stdio-server.js';
import { isProcessAlive, objectiveOf, recordedWorkerPids, startRun, waitForRunEnd } from '../helpers/run-helpers.js';
import { agentWorkers, apReply, startAgentTestBed, type AgentTestBed } from './agent-team.js';
import type { ScriptStep } from './scripted-model-server.js';

/**
 * The real Codex CLI with no model it can reach retries for ever ("Reconnecting..."): only the
 * orchestrator's timeout ends it, with its whole process group.
 */
describe('real Codex with an unreachable model', () => {
  let bed: AgentTestBed;

  beforeAll(async () => {
    // With no model server, the workers point at port 9 (discard): no listener, every connection refused at once.
    bed = await startAgentTestBed({
      files: { 'README.md': '# Offline\n', 'alpha/.keep': '' },
      team: (url, home) => ({ maxAttempts: 1, workers: [agentWorkers(url, home, { codex: { timeoutSeconds: 6 } }).codex] }),
    });
  }, 60_000);

  afterAll(async () => bed?.close());

  it('ends the attempt at the timeout, says what Codex was doing, and leaves no process', async () => {
    const { server, repo } = bed;
    const started = Date.now();
    const runId = await startRun(server, repo.root, [{ id: 'cx', title: 'Codex offline', scopeTouch: ['alpha/'], agent: 'codex-1' }]);
    const status = await waitForRunEnd(server, runId, 90_000);
    const objective = objectiveOf(status, 'cx');
    expect(objective.state).toBe('failed');
    expect(objective.error).toMatch(/^Codex \(worker "codex-1"\) did not finish within 6 s\. Its last error: .*Reconnecting/);
    expect(Date.now() - started).toBeLessThan(45_000);
    for (const pid of recordedWorkerPids(repo.root, runId)) expect(isProcessAlive(pid), `pid ${pid}`).toBe(false);
  });

  it('warns at the start when a worker has neither a key nor a login', async () => {
    const bare = await startAgentTestBed({
      files: { 'README.md': '# Bare\n', 'alpha/.keep': '' },
      team: (url, home) => {
        const { codex } = agentWorkers(url, home, { codex: { timeoutSeconds: 3 } });
        return { maxAttempts: 1, workers: [{ ...codex, env: { HOME: home, CODEX_HOME: `${home}/.codex` } }] };
      },
    });
    try {
      const analysis = await bare.server.call('analyze', { repo: bare.repo.root, request: 'No key' });
      const plan = await bare.server.call('plan', { analysisId: analysis.structuredContent!.analysisId, objectives: [{ id: 'cx', title: 'No key', scopeTouch: ['alpha/'] }], approve: true });
      const started = await bare.server.call('execute', { planId: plan.structuredContent!.planId });
      expect(started.isError, textOf(started)).toBeFalsy();
      expect(started.structuredContent!.warnings).toEqual([expect.stringMatching(/^Worker "codex-1" \(Codex\) may not be able to log in: No key or login found\. Run `codex login`/)]);
      await waitForRunEnd(bare.server, String(started.structuredContent!.runId), 60_000);
    } finally {
      await bare.close();
    }
  });
});

/**
 * A failed attempt is retried on another Codex worker sharing the same home: it resumes the
 * thread, told that the worktree was reset, and only its own tokens are counted.
 */
describe('real Codex retrying an objective', () => {
  const failed = 'STATUS=FAILED\n### Failure Report\nThe first try went wrong.';
  const script = (prompt: string): ScriptStep[] =>
    // The model answers by the number of tool results in the conversation: a resumed thread
    // brings the first attempt's one along, so the second attempt's script starts at step 1.
    /earlier attempt at this objective was discarded/.test(prompt)
      ? [{ message: 'unused' }, { shell: 'mkdir -p alpha && echo second > alpha/retry.txt' }, { message: apReply('alpha/retry.txt', 'feat(alpha): retry') }]
      : [{ shell: 'mkdir -p alpha && echo first > alpha/first.txt' }, { message: failed }];
  let bed: AgentTestBed;

  beforeAll(async () => {
    bed = await startAgentTestBed({
      files: { 'README.md': '# Retry\n', 'alpha/.keep': '' },
      model: { scriptFor: script },
      team: (url, home) => {
        const { codex } = agentWorkers(url, home);
        return { maxAttempts: 2, workers: [codex, { ...codex, id: 'codex-2' }] };
      },
    });
  }, 60_000);

  afterAll(async () => bed?.close());

  it('resumes the same thread on the other worker and records each attempt\'s own tokens', async () => {
    const { server, repo } = bed;
    const runId = await startRun(server, repo.root, [{ id: 'cx', title: 'Codex retries', scopeTouch: ['alpha/'], agent: 'codex' }]);
    const status = await waitForRunEnd(server, runId, 180_000);
    const objective = objectiveOf(status, 'cx');
    expect(objective.state, objective.error ?? '').toBe('merged');
    // The first attempt's file went with its worktree: only the retry's work is merged.
    expect(repo.git('ls-tree', '-r', '--name-only', `ap/${runId}`, 'alpha').trim().split('\n')).toEqual(['alpha/.keep', 'alpha/retry.txt']);
    const database = new Database(join(repo.root, '.ap/orchestrator.db'), { readonly: true });
    try {
      const attempts = database
        .prepare<[string], { attempt: number; worker_id: string; outcome: string; session_id: string; input_tokens: number; output_tokens: number }>(
          'SELECT attempt, worker_id, outcome, session_id, input_tokens, output_tokens FROM attempts WHERE run_id = ? ORDER BY attempt',
        )
        .all(runId);
      expect(attempts.map((attempt) => [attempt.worker_id, attempt.outcome])).toEqual([['codex-1', 'failed'], ['codex-2', 'completed']]);
      expect(attempts[1]!.session_id).toBe(attempts[0]!.session_id);
      // Two model requests per attempt, 20 input and 10 output tokens each.
      for (const attempt of attempts) expect([attempt.input_tokens, attempt.output_tokens]).toEqual([40, 20]);
    } finally {
      database.close();
    }
  });
});

/**
 * With bubblewrap installed, Codex cannot run a command when CODEX_HOME is inside TMPDIR, and
 * its turn still "completes" with the model's last words. The orchestrator tries Codex's sandbox
 * first and fails the objective at once, saying why and what to change; an agent that does finish
 * its turn without changing a file ends as no_changes, never as merged.
 */
describe('real Codex that does nothing', () => {
  let bed: AgentTestBed;

  beforeAll(async () => {
    bed = await startAgentTestBed({
      files: { 'README.md': '# Nothing\n', 'alpha/.keep': '', 'beta/.keep': '' },
      model: { scriptFor: () => [{ message: 'Done.' }] },
      team: (url, home) => {
        const { codex } = agentWorkers(url, home);
        // The same home, with the temporary folder it was made in as TMPDIR.
        return { maxAttempts: 1, workers: [codex, { ...codex, id: 'codex-in-tmp', env: { ...codex.env, TMPDIR: dirname(home) } }] };
      },
    });
  }, 60_000);

  afterAll(async () => bed?.close());

  it('ends a turn that changed no file as no_changes, with the agent\'s words, and merges nothing', async () => {
    const { server, repo } = bed;
    const runId = await startRun(server, repo.root, [
      { id: 'idle', title: 'Codex says done', scopeTouch: ['alpha/'], agent: 'codex-1' },
      { id: 'next', title: 'Depends on it', scopeTouch: ['beta/'], agent: 'codex-1', dependsOn: ['idle'] },
    ]);
    const status = await waitForRunEnd(server, runId, 120_000);
    expect(objectiveOf(status, 'idle')).toMatchObject({ state: 'no_changes', files: [], error: expect.stringContaining('Worker "codex-1" said it was done but changed no file, so there is nothing to merge (it said: Done.)') });
    expect(objectiveOf(status, 'next')).toMatchObject({ state: 'blocked' });
    expect(repo.git('rev-parse', `ap/${runId}`).trim()).toBe(repo.git('rev-parse', 'HEAD').trim());
  });

  it.skipIf(!existsSync('/usr/bin/bwrap'))('fails at once, naming the cause and the fix, when Codex cannot run commands in its sandbox', async () => {
    const { server, repo, model } = bed;
    const requestsBefore = model!.requests.length;
    const runId = await startRun(server, repo.root, [{ id: 'cx', title: 'Codex in tmp', scopeTouch: ['alpha/'], agent: 'codex-in-tmp' }]);
    const objective = objectiveOf(await waitForRunEnd(server, runId, 60_000), 'cx');
    expect(objective.state).toBe('failed');
    expect(objective.error).toContain('Codex (worker "codex-in-tmp") cannot run commands in its workspace-write sandbox on this machine');
    expect(objective.error).toMatch(/bwrap: execvp codex-linux-sandbox: No such file or directory/);
    expect(objective.error).toContain(`inside TMPDIR ${tmpdir()}. Give the worker a CODEX_HOME (or HOME) outside ${tmpdir()}, or a TMPDIR that does not contain it`);
    // Codex never ran: the model was not asked anything.
    expect(model!.requests.length).toBe(requestsBefore);
  });
});
