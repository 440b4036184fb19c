/**
 * The built-in worker as any MCP client meets it: the bundled worker a run starts, spoken to by
 * the SDK's own client over stdio. It speaks MCP without the SDK, so the SDK is the judge here.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { SUPPORTED_PROTOCOL_VERSIONS, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readRunObjectiveInput } from '../../src/workers/builtin/builtin-worker-input.js';
import { runObjectiveInput } from '../../src/workers/builtin/builtin-worker-schema.js';
import { protocolVersions } from '../../src/workers/builtin/builtin-worker-server.js';

const bundle = fileURLToPath(new URL('../../dist/builtin-worker.cjs', import.meta.url));
const folders: string[] = [];
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/**
 * Passes what it reads on in one write every 100 ms: a client busy for that long reads everything
 * the worker wrote meanwhile at once, as a loaded machine does now and then.
 */
const lateReader = `let held = ''; process.stdin.on('data', (chunk) => (held += chunk)); const flush = () => { if (held) process.stdout.write(held); held = ''; }; setInterval(flush, 100); process.stdin.on('end', () => { flush(); process.exit(0); });`;

async function connect(options: { readLate?: boolean } = {}): Promise<{ client: Client; cwd: string; log: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'ap-worker-'));
  folders.push(cwd);
  const log = join(cwd, '.log', 'worker.log');
  const client = new Client({ name: 'test', version: '1' });
  const command = options.readLate
    ? { command: '/bin/sh', args: ['-c', 'exec "$0" "$1" --log "$2" | "$0" -e "$3"', process.execPath, bundle, log, lateReader] }
    : { command: process.execPath, args: [bundle, '--log', log] };
  await client.connect(new StdioClientTransport({ ...command, stderr: 'pipe' }));
  clients.push(client);
  return { client, cwd, log };
}

const text = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text;

describe('the built-in worker over stdio', () => {
  it('introduces itself, lists its tool with a schema, and answers ping', async () => {
    const { client } = await connect();
    expect(client.getServerVersion()?.name).toBe('ap-orchestrator-builtin-worker');
    expect(client.getServerCapabilities()).toEqual({ tools: {} });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['run_objective']);
    expect(tools[0]!.inputSchema).toMatchObject({ type: 'object', required: ['prompt', 'cwd'] });
    expect(JSON.stringify(tools[0]!.inputSchema)).toContain('requestedScope');
    await expect(client.ping()).resolves.toEqual({});
  });

  it('carries out the steps, reports each as progress and as an AP log line, and replies in the AP format', async () => {
    const { client, cwd, log } = await connect();
    const progress: string[] = [];
    const result = await client.callTool(
      {
        name: 'run_objective',
        arguments: { prompt: 'TITLE: Add a file\n', cwd, objectiveId: 'o1', edits: [{ op: 'write', path: 'src/a.ts', content: 'a\n' }, { op: 'append', path: 'src/a.ts', content: 'b\n' }] },
      },
      undefined,
      { onprogress: (notification) => progress.push(`${notification.progress}/${notification.total} ${notification.message}`) },
    );
    expect(result.isError).toBe(false);
    expect(readFileSync(join(cwd, 'src/a.ts'), 'utf8')).toBe('a\nb\n');
    expect(text(result)).toMatch(/STATUS=COMPLETED[\s\S]*### Change Summary[\s\S]*Writing src\/a.ts[\s\S]*feat: add a file/);
    expect(progress).toEqual(['0.0001/2 write_file - Writing src/a.ts', '1.0002/2 append_file - Appending to src/a.ts']);
    expect(readFileSync(log, 'utf8')).toMatch(/^\[[\d-]+T[\d:]+\] TASK: Starting o1 Add a file\n\[.*\] TOOL: write_file - Writing src\/a.ts\n/);
  });

  it('has every progress notification delivered before it answers, also to a client that reads late', async () => {
    const { client, cwd } = await connect({ readLate: true });
    for (let round = 0; round < 3; round += 1) {
      const progress: string[] = [];
      const result = await client.callTool(
        { name: 'run_objective', arguments: { prompt: 'p', cwd, edits: [{ op: 'write', path: 'a.txt', content: 'a' }, { op: 'append', path: 'a.txt', content: 'b' }] } },
        undefined,
        { onprogress: (notification) => progress.push(notification.message ?? '') },
      );
      expect(result.isError).toBe(false);
      expect(progress).toEqual(['write_file - Writing a.txt', 'append_file - Appending to a.txt']);
    }
  });

  it('stops a step when the call is cancelled, and keeps serving', async () => {
    const { client, cwd } = await connect();
    const controller = new AbortController();
    const call = client.callTool({ name: 'run_objective', arguments: { prompt: 'p', cwd, edits: [{ op: 'delay', ms: 60_000 }] } }, undefined, { signal: controller.signal });
    setTimeout(() => controller.abort('enough'), 200);
    const started = Date.now();
    await expect(call).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
    const after = await client.callTool({ name: 'run_objective', arguments: { prompt: 'p', cwd, edits: [{ op: 'fail', message: 'on purpose' }] } });
    expect(after.isError).toBe(true);
    expect(text(after)).toMatch(/STATUS=FAILED[\s\S]*on purpose/);
  });

  it('says what is wrong with bad arguments, an unknown tool or method, and survives a line of garbage', async () => {
    const { client } = await connect();
    const bad = await client.callTool({ name: 'run_objective', arguments: { prompt: 'p', cwd: '/', edits: [{ op: 'write', path: 'a' }] } });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toBe('Invalid arguments: edits[0].content: expected a string');
    const unknown = await client.callTool({ name: 'other', arguments: {} });
    expect(text(unknown)).toMatch(/Unknown tool "other"/);
    await expect(client.request({ method: 'resources/list', params: {} }, (await import('@modelcontextprotocol/sdk/types.js')).ListResourcesResultSchema)).rejects.toThrow(/Method not found/);

    const raw = spawn(process.execPath, [bundle], { stdio: ['pipe', 'pipe', 'ignore'] });
    const lines: string[] = [];
    raw.stdout.on('data', (chunk: Buffer) => lines.push(...chunk.toString().trim().split('\n')));
    raw.stdin.write('this is not json\n{"jsonrpc":"2.0","id":7,"method":"ping"}\n');
    await new Promise((resolve) => setTimeout(resolve, 500));
    raw.stdin.end();
    await new Promise((resolve) => raw.once('exit', resolve));
    expect(lines.map((line) => JSON.parse(line) as { id: unknown; error?: { code: number }; result?: unknown })).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: a line that is not JSON' } },
      { jsonrpc: '2.0', id: 7, result: {} },
    ]);
  });

  it('answers what was asked before its input ended, from the bundle and from `ap-orchestrator worker`', async () => {
    const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
    for (const args of [[bundle], [cli, 'worker']]) {
      const raw = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'] });
      let output = '';
      raw.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      raw.stdin.end('{"jsonrpc":"2.0","id":1,"method":"tools/list"}\n');
      await new Promise((resolve) => raw.once('exit', resolve));
      expect((JSON.parse(output) as { result: { tools: { name: string }[] } }).result.tools[0]!.name, args.join(' ')).toBe('run_objective');
    }
  });

  it('speaks the MCP versions the SDK speaks, and reads arguments as the plan\'s schema does', () => {
    expect(protocolVersions).toEqual(SUPPORTED_PROTOCOL_VERSIONS);
    const samples: unknown[] = [
      { prompt: 'p', cwd: '/w' },
      { prompt: 'p', cwd: '/w', title: 't', edits: [{ op: 'write', path: 'a', content: 'x' }, { op: 'delay', ms: 5 }, { op: 'crash' }, { op: 'crash', exitCode: 3 }] },
      { prompt: 'p', cwd: '/w', edits: [{ op: 'block', requestedScope: ['b/'], reason: 'why' }, { op: 'replace', path: 'a', search: 's', replace: 'r' }, { op: 'delete', path: 'a' }, { op: 'fail', message: 'm' }] },
      { prompt: 'p', cwd: '/w', edits: [{ op: 'delay', ms: 1.5 }] },
      { prompt: 'p', cwd: '/w', edits: [{ op: 'delay', ms: -1 }] },
      { prompt: 'p', cwd: '/w', edits: [{ op: 'block', requestedScope: [], reason: 'why' }] },
      { prompt: 'p', cwd: '/w', edits: [{ op: 'launch' }] },
      { prompt: 'p', cwd: '/w', edits: 'write' },
      { prompt: 'p', cwd: '/w', edits: [{ op: 'append', path: 'a', content: 'x', extra: true }] },
      { prompt: 'p', cwd: 3 },
      { cwd: '/w' },
      { prompt: 'p', cwd: '/w', title: 5 },
      null,
    ];
    for (const sample of samples) {
      const zod = runObjectiveInput.safeParse(sample);
      const read = readRunObjectiveInput(sample);
      expect('input' in read, JSON.stringify(sample)).toBe(zod.success);
      if (zod.success && 'input' in read) expect(read.input).toEqual(zod.data);
    }
  });
});
