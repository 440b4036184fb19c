import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinTeam, waitForRunEnd } from '../helpers/run-helpers.js';
import { connectToServer, textOf, type ServerConnection } from '../helpers/stdio-server.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

describe('execute asks the host to approve a draft plan (MCP elicitation)', () => {
  let repo: TempRepo | undefined;
  let server: ServerConnection | undefined;

  afterEach(async () => {
    await server?.close();
    repo?.remove();
  });

  async function draftPlan(answer: boolean): Promise<{ server: ServerConnection; planId: string; questions: string[] }> {
    repo = createTempRepo({ 'src/a/index.ts': 'a\n', 'team.json': builtinTeam({ workers: 1 }) });
    const questions: string[] = [];
    server = await connectToServer({
      repo: repo.root,
      capabilities: { elicitation: {} },
      setup: (client) =>
        client.setRequestHandler(ElicitRequestSchema, (request) => {
          questions.push(String(request.params.message));
          return answer ? { action: 'accept', content: { approve: true } } : { action: 'decline' };
        }),
    });
    const analysis = await server.call('analyze', { request: 'x' });
    const plan = await server.call('plan', { analysisId: analysis.structuredContent!.analysisId, objectives: [{ id: 'a', title: 'A', scopeTouch: ['src/a/'], edits: [{ op: 'write', path: 'src/a/b.ts', content: 'b\n' }] }] });
    return { server, planId: String(plan.structuredContent!.planId), questions };
  }

  it('runs the plan when the user approves it', async () => {
    const { server, planId, questions } = await draftPlan(true);
    const started = await server.call('execute', { planId });
    expect(started.isError, textOf(started)).toBeFalsy();
    expect(questions[0]).toContain(`Approve and run plan ${planId}: 1 objective in 1 wave`);
    expect((await waitForRunEnd(server, String(started.structuredContent!.runId))).status).toBe('completed');
    expect(textOf(await server.call('approve', { planId }))).toContain('Already approved');
  });

  it('does not run it when the user declines', async () => {
    const { server, planId } = await draftPlan(false);
    const refused = await server.call('execute', { planId });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain(`Plan "${planId}" was not approved, so it was not run.`);
  });
});
