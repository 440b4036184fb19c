import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { coordinationPlanSchema } from '../../src/core/plan/coordination-plan.js';
import { connectToServer, textOf, type ServerConnection } from '../helpers/stdio-server.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

describe('plan without objectives asks the host model (MCP sampling)', () => {
  let repo: TempRepo | undefined;
  let server: ServerConnection | undefined;

  afterEach(async () => {
    await server?.close();
    repo?.remove();
  });

  async function connect(answer: (prompt: string) => string): Promise<{ server: ServerConnection; prompts: string[] }> {
    repo = createTempRepo({ 'src/auth/login.ts': 'export const login = 1;\n', 'src/ui/app.ts': "import '../auth/login.js';\n" });
    const prompts: string[] = [];
    server = await connectToServer({
      repo: repo.root,
      capabilities: { sampling: {} },
      setup: (client) =>
        client.setRequestHandler(CreateMessageRequestSchema, (request) => {
          const content = request.params.messages[0]!.content;
          const prompt = 'text' in content ? String(content.text) : '';
          prompts.push(prompt);
          return { role: 'assistant', model: 'scripted', content: { type: 'text', text: answer(prompt) } };
        }),
    });
    return { server, prompts };
  }

  it('uses the objectives the host model proposes', async () => {
    const { server, prompts } = await connect(
      () =>
        'Here is the split:\n```json\n' +
        JSON.stringify({ objectives: [{ id: 'login', title: 'Login', scopeTouch: ['src/auth/'] }, { id: 'ui', title: 'UI', scopeTouch: ['src/ui/'], dependsOn: ['login'] }] }) +
        '\n```',
    );
    const analysis = await server.call('analyze', { request: 'Add login to auth and ui' });
    const result = await server.call('plan', { analysisId: analysis.structuredContent!.analysisId });
    expect(result.isError, textOf(result)).toBeFalsy();
    const plan = coordinationPlanSchema.parse(result.structuredContent);
    expect(plan.source).toBe('sampling');
    expect(plan.waves).toEqual([{ wave: 1, objectives: ['login'] }, { wave: 2, objectives: ['ui'] }]);
    expect(prompts[0]).toContain('Request: Add login to auth and ui');
    expect(prompts[0]).toContain('src/auth (scope "src/auth/"');
  });

  it('falls back to the deterministic split, with a warning, when the answer is unusable', async () => {
    const { server } = await connect(() => 'I would rather not.');
    const analysis = await server.call('analyze', { request: 'Add login to auth and ui' });
    const result = await server.call('plan', { analysisId: analysis.structuredContent!.analysisId });
    expect(result.isError, textOf(result)).toBeFalsy();
    const plan = coordinationPlanSchema.parse(result.structuredContent);
    expect(plan.source).toBe('proposed');
    expect(plan.problems).toEqual([expect.objectContaining({ severity: 'warning', field: 'objectives', message: expect.stringContaining('the answer holds no JSON') })]);
    expect(plan.objectives.map((objective) => objective.id)).toEqual(['src-auth', 'src-ui']);
  });
});
