import { afterEach, describe, expect, it } from 'vitest';
import { openDashboardClient } from '../helpers/dashboard-client.js';
import { builtinTeam, waitForRunEnd } from '../helpers/run-helpers.js';
import { connectToServer, textOf, type ServerConnection } from '../helpers/stdio-server.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

describe('dashboard WebSocket during a real run over MCP', () => {
  let repo: TempRepo | undefined;
  let server: ServerConnection | undefined;
  afterEach(async () => {
    await server?.close();
    repo?.remove();
  });

  it('carries every message type, with the seed fields, and replays the finished run', async () => {
    repo = createTempRepo({ 'src/a/index.ts': 'a\n', 'src/b/index.ts': 'b\n', 'team.json': builtinTeam({ workers: 2, maxAttempts: 1 }) });
    server = await connectToServer({ repo: repo.root });
    const analysis = await server.call('analyze', { request: 'x' });
    const plan = await server.call('plan', {
      analysisId: analysis.structuredContent!.analysisId,
      approve: true,
      objectives: [
        { id: 'good', title: 'Good', scopeTouch: ['src/a/'], edits: [{ op: 'delay', ms: 600 }, { op: 'write', path: 'src/a/new.ts', content: 'n\n' }] },
        { id: 'rogue', title: 'Rogue', scopeTouch: ['src/b/'], edits: [{ op: 'delay', ms: 600 }, { op: 'write', path: 'README.md', content: 'x\n' }] },
      ],
    });
    // Start with the page's view of things: the dashboard URL comes from execute.
    const started = await server.call('execute', { planId: plan.structuredContent!.planId });
    expect(started.isError, textOf(started)).toBeFalsy();
    const dashboardUrl = String(started.structuredContent!.dashboardUrl);
    const runId = String(started.structuredContent!.runId);
    const live = await openDashboardClient(dashboardUrl);
    const messages = live.messages;
    live.send({ type: 'subscribe', run_id: runId, after_seq: 0 });
    await waitForRunEnd(server, runId);
    await live.waitFor('run_finished');

    const types = new Set(messages.map((message) => message.type));
    for (const type of ['connected', 'run_started', 'phase_started', 'wave_started', 'objective_started', 'objective_finished', 'worker_activity', 'worker_metrics', 'worker_error', 'scope_violation', 'run_finished']) {
      expect(types, type).toContain(type);
    }
    expect(messages.find((message) => message.type === 'connected')).toMatchObject({ message: 'Connected to AP', timestamp: expect.any(String) });
    expect(messages.find((message) => message.type === 'worker_activity')).toMatchObject({ worker_id: expect.any(String), timestamp: expect.any(String), activity_type: expect.any(String), description: expect.any(String) });
    expect(messages.find((message) => message.type === 'worker_activity' && message.tool_name === 'write_file')).toMatchObject({ file_path: expect.stringMatching(/src\/a\/new\.ts|README\.md/) });
    expect(messages.find((message) => message.type === 'worker_metrics')).toMatchObject({ worker_id: expect.any(String), tasks_completed: expect.any(Number), tasks_failed: expect.any(Number), tools_used: expect.any(Object), files_modified: expect.any(Array), uptime_seconds: expect.any(Number) });
    expect(messages.find((message) => message.type === 'worker_error')).toMatchObject({ worker_id: expect.any(String), error: expect.stringContaining('README.md'), timestamp: expect.any(String) });
    expect(messages.find((message) => message.type === 'scope_violation')).toMatchObject({ objective_id: 'rogue', file: 'README.md' });
    const seqs = messages.filter((message) => typeof message.seq === 'number').map((message) => message.seq as number);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    live.close();

    // A second client replays the finished run: the same events, in the same order.
    const again = await openDashboardClient(dashboardUrl);
    again.send({ type: 'subscribe', run_id: runId, after_seq: 0 });
    await again.waitFor('run_finished');
    expect(again.messages.filter((message) => typeof message.seq === 'number').map((message) => message.seq)).toEqual(seqs);
    again.close();
  });
});
