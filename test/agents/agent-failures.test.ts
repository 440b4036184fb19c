import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectToServer, textOf, type ServerConnection } from '../helpers/stdio-server.js';
import { isProcessAlive, objectiveOf, recordedWorkerPids, startRun, waitForRunEnd } from '../helpers/run-helpers.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';
import { agentWorkers, createAgentHome, type AgentHome } from './agent-team.js';

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
