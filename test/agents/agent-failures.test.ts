import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectToServer, textOf, type ServerConnection } from '../helpers/stdio-server.js';
import { isProcessAlive, objectiveOf, recordedWorkerPids, startRun, waitForRunEnd } from '../helpers/run-helpers.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';
import { agentWorkers, apReply, createAgentHome, type AgentHome } from './agent-team.js';
import { startScriptedModelServer, type ScriptedModelServer, type ScriptStep } from './scripted-model-server.js';

/**
 * The real Codex CLI with no model it can reach retries for ever ("Reconnecting..."): only the
 * orchestrator's timeout ends it, with its whole process group.
 */
describe('real Codex with an unreachable model', () => {
  let repo: TempRepo;
  let home: AgentHome;
  let server: ServerConnection;

  beforeAll(async () => {
    home = createAgentHome();
    repo = createTempRepo({ 'README.md': '# Offline\n', 'alpha/.keep': '' });
    // Port 9 (discard) has no listener here: every connection is refused at once.
    const { codex } = agentWorkers('http://127.0.0.1:9', home.home, { codex: { timeoutSeconds: 6 } });
    repo.write('team.json', JSON.stringify({ maxAttempts: 1, workers: [codex] }));
    server = await connectToServer({ repo: repo.root });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    home?.remove();
    repo?.remove();
  });

  it('ends the attempt at the timeout, says what Codex was doing, and leaves no process', async () => {
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
    const bare = createTempRepo({ 'README.md': '# Bare\n', 'alpha/.keep': '' });
    const bareHome = createAgentHome();
    const connection = await connectToServer({ repo: bare.root });
    try {
      const { codex } = agentWorkers('http://127.0.0.1:9', bareHome.home, { codex: { timeoutSeconds: 3 } });
      bare.write('team.json', JSON.stringify({ maxAttempts: 1, workers: [{ ...codex, env: { HOME: bareHome.home, CODEX_HOME: `${bareHome.home}/.codex` } }] }));
      const analysis = await connection.call('analyze', { repo: bare.root, request: 'No key' });
      const plan = await connection.call('plan', { analysisId: analysis.structuredContent!.analysisId, objectives: [{ id: 'cx', title: 'No key', scopeTouch: ['alpha/'] }], approve: true });
      const started = await connection.call('execute', { planId: plan.structuredContent!.planId });
      expect(started.isError, textOf(started)).toBeFalsy();
      expect(started.structuredContent!.warnings).toEqual([expect.stringMatching(/^Worker "codex-1" \(Codex\) may not be able to log in: No key or login found\. Run `codex login`/)]);
      await waitForRunEnd(connection, String(started.structuredContent!.runId), 60_000);
    } finally {
      await connection.close();
      bareHome.remove();
      bare.remove();
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
  let repo: TempRepo;
  let home: AgentHome;
  let model: ScriptedModelServer;
  let server: ServerConnection;

  beforeAll(async () => {
    model = await startScriptedModelServer({ scriptFor: script });
    home = createAgentHome();
    repo = createTempRepo({ 'README.md': '# Retry\n', 'alpha/.keep': '' });
    const { codex } = agentWorkers(model.url, home.home);
    repo.write('team.json', JSON.stringify({ maxAttempts: 2, workers: [codex, { ...codex, id: 'codex-2' }] }));
    server = await connectToServer({ repo: repo.root });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await model?.close();
    home?.remove();
    repo?.remove();
  });

  it('resumes the same thread on the other worker and records each attempt\'s own tokens', async () => {
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
