/**
 * The orchestrator's side of an MCP worker's stdio: messages reach the SDK's client in order, and
 * a progress notification written in the same write as its call's response still reaches the
 * caller (the SDK alone drops it: it dispatches notifications a microtask after responses).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { ChildProcessTransport } from '../../src/workers/process/child-process-transport.js';
import { ManagedProcess } from '../../src/workers/process/managed-process.js';

/** An MCP server in a few lines that answers a tool call with two progress notifications and the response, all in one write, then exits when told. */
const server = `
let pending = '';
const send = (...messages) => process.stdout.write(messages.map((message) => JSON.stringify(message) + '\\n').join(''));
process.stdin.on('data', (chunk) => {
  pending += chunk;
  for (let end = pending.indexOf('\\n'); end !== -1; end = pending.indexOf('\\n')) {
    const message = JSON.parse(pending.slice(0, end));
    pending = pending.slice(end + 1);
    if (message.method === 'initialize') send({ jsonrpc: '2.0', id: message.id, result: { protocolVersion: message.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'one-write', version: '1' } } });
    if (message.method === 'tools/call') {
      const progressToken = message.params._meta.progressToken;
      const response = { jsonrpc: '2.0', id: message.id, result: { content: [{ type: 'text', text: 'done' }] } };
      if (message.params.name === 'exit') {
        send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken, progress: 1, message: 'last words' } }, response);
        process.exit(0);
      }
      send(
        { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken, progress: 1, total: 2, message: 'first' } },
        { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken, progress: 2, total: 2, message: 'second' } },
        response,
      );
    }
  }
});
`;

const processes: ManagedProcess[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map((process) => process.stop({ graceMs: 0, termMs: 1_000 })));
});

async function connect(): Promise<{ client: Client; process: ManagedProcess }> {
  const process = await ManagedProcess.start({ command: globalThis.process.execPath, args: ['-e', server], cwd: tmpdir(), env: { PATH: globalThis.process.env.PATH ?? '/usr/bin:/bin' } });
  processes.push(process);
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(new ChildProcessTransport(process));
  return { client, process };
}

describe('the stdio transport to a worker process', () => {
  it('delivers progress written together with the response before the response', async () => {
    const { client } = await connect();
    for (let round = 0; round < 20; round += 1) {
      const progress: string[] = [];
      const result = await client.callTool({ name: 'work', arguments: {} }, undefined, { onprogress: (notification) => progress.push(notification.message ?? '') });
      expect(result.content).toEqual([{ type: 'text', text: 'done' }]);
      expect(progress).toEqual(['first', 'second']);
    }
  });

  it('hands on what the process wrote before it exited, then closes', async () => {
    const { client } = await connect();
    const progress: string[] = [];
    let closed = false;
    client.onclose = () => (closed = true);
    const result = await client.callTool({ name: 'exit', arguments: {} }, undefined, { onprogress: (notification) => progress.push(notification.message ?? '') });
    expect(result.content).toEqual([{ type: 'text', text: 'done' }]);
    expect(progress).toEqual(['last words']);
    await expect.poll(() => closed).toBe(true);
  });
});
