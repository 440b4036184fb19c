import { connect as connectTcp } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startDashboardServer, type DashboardServer } from '../../../src/events/dashboard-server.js';
import type { EventSource } from '../../../src/events/workspace-event-source.js';
import type { StoredEvent } from '../../../src/store/event-records.js';

/** An in-memory event source: a list of stored events and live listeners. */
function memorySource() {
  const events: StoredEvent[] = [];
  const listeners = new Set<(event: StoredEvent) => void>();
  const emit = (runId: string, type: string, payload: Record<string, unknown> = {}) => {
    const event = { seq: events.length + 1, runId, type, timestamp: new Date().toISOString(), payload };
    events.push(event);
    for (const listener of listeners) listener(event);
    return event;
  };
  const source: EventSource = {
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    replay: (runId, afterSeq, limit) => (runId === 'missing' ? undefined : events.filter((event) => event.runId === runId && event.seq > afterSeq).slice(0, limit)),
    runs: () => [{ run_id: 'run-1', plan_id: 'plan-1', repo: '/r', status: 'running', mode: 'worktree', created_at: 'now', finished_at: null }],
  };
  return { source, emit, events };
}

const warnings: string[] = [];
const log = { error: () => {}, warn: (message: string) => warnings.push(message), info: () => {}, debug: () => {} };

function open(url: string, headers: Record<string, string> = {}): Promise<{ socket: WebSocket; messages: Record<string, unknown>[]; closed: Promise<{ code: number; reason: string }> }> {
  const socket = new WebSocket(url, { headers });
  const messages: Record<string, unknown>[] = [];
  socket.on('message', (data) => {
    const parsed = JSON.parse(data.toString()) as Record<string, unknown> | Record<string, unknown>[];
    messages.push(...(Array.isArray(parsed) ? parsed : [parsed]));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, messages, closed }));
    socket.once('error', reject);
  });
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('dashboard WebSocket server', () => {
  let server: DashboardServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const wsUrl = (server: DashboardServer, token = server.token) => `ws://127.0.0.1:${server.port}/ws?token=${token}`;

  it('greets, then streams the events of the subscribed run', async () => {
    const memory = memorySource();
    server = await startDashboardServer({ source: memory.source, log, port: 0 });
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[\\w-]{20,}$`));
    const client = await open(wsUrl(server));
    await until(() => client.messages.length === 1);
    expect(client.messages[0]).toMatchObject({ type: 'connected', message: 'Connected to AP' });
    client.socket.send(JSON.stringify({ type: 'subscribe', run_id: 'run-1', after_seq: 0 }));
    await until(() => client.messages.some((message) => message.type === 'subscribed'));
    memory.emit('run-1', 'worker_activity', { worker_id: 'w1', activity_type: 'tool_use', tool_name: 'write_file' });
    memory.emit('run-2', 'worker_activity', { worker_id: 'w2' });
    await until(() => client.messages.some((message) => message.type === 'worker_activity'));
    expect(client.messages.filter((message) => message.type === 'worker_activity')).toEqual([
      expect.objectContaining({ seq: 1, run_id: 'run-1', worker_id: 'w1', activity_type: 'tool_use', tool_name: 'write_file' }),
    ]);
    client.socket.send(JSON.stringify({ type: 'list_runs' }));
    await until(() => client.messages.some((message) => message.type === 'runs'));
    client.socket.close();
  });

  it('closes with 1008 without the token, with a wrong one, and for a foreign Origin', async () => {
    server = await startDashboardServer({ source: memorySource().source, log, port: 0 });
    for (const url of [`ws://127.0.0.1:${server.port}/ws`, wsUrl(server, 'wrong-token-wrong-token')]) {
      const client = await open(url);
      expect((await client.closed).code).toBe(1008);
    }
    const foreign = await open(wsUrl(server), { Origin: 'http://evil.example' });
    expect(await foreign.closed).toEqual({ code: 1008, reason: 'origin not allowed' });
    const own = await open(wsUrl(server), { Origin: `http://localhost:${server.port}` });
    await until(() => own.messages.length > 0);
    expect(own.messages[0]).toMatchObject({ type: 'connected' });
    own.socket.close();
  });

  it('replays exactly the gap after a reconnect: no event lost, none twice', async () => {
    const memory = memorySource();
    server = await startDashboardServer({ source: memory.source, log, port: 0 });
    for (let index = 0; index < 1500; index += 1) memory.emit('run-1', 'worker_activity', { index });
    const first = await open(wsUrl(server));
    first.socket.send(JSON.stringify({ type: 'subscribe', run_id: 'run-1', after_seq: 0 }));
    await until(() => first.messages.filter((message) => message.type === 'worker_activity').length === 1500);
    const lastSeen = Math.max(...first.messages.filter((message) => typeof message.seq === 'number').map((message) => message.seq as number));
    first.socket.close();
    await first.closed;
    for (let index = 0; index < 700; index += 1) memory.emit('run-1', 'worker_activity', { index: 1500 + index });
    const second = await open(wsUrl(server));
    second.socket.send(JSON.stringify({ type: 'subscribe', run_id: 'run-1', after_seq: lastSeen }));
    for (let index = 0; index < 300; index += 1) memory.emit('run-1', 'worker_activity', { index: 2200 + index });
    await until(() => second.messages.filter((message) => message.type === 'worker_activity').length === 1000);
    const seqs = [...first.messages, ...second.messages].filter((message) => message.type === 'worker_activity').map((message) => message.seq as number);
    expect(seqs).toEqual(Array.from({ length: 2500 }, (_unused, index) => index + 1));
    second.socket.close();
  });

  it('closes a connection that sends an oversized message, and answers garbage with errors', async () => {
    server = await startDashboardServer({ source: memorySource().source, log, port: 0, maxPayloadBytes: 1024 });
    const client = await open(wsUrl(server));
    client.socket.send('not json');
    client.socket.send(JSON.stringify({ type: 'explode' }));
    client.socket.send(JSON.stringify({ type: 'subscribe', run_id: 'missing' }));
    client.socket.send(JSON.stringify({ type: 'list_runs', limit: 1.5 }));
    client.socket.send(JSON.stringify({ type: 'subscribe', run_id: 'run-1', after_seq: -1.5 }));
    await until(() => client.messages.filter((message) => message.type === 'error').length === 3 && client.messages.some((message) => message.type === 'runs'));
    expect(client.messages.filter((message) => message.type === 'error').map((message) => message.error)).toEqual([
      'Messages must be JSON objects with a "type".',
      'Unknown message type "explode"; use subscribe, list_runs or ping.',
      'No run with id "missing".',
    ]);
    client.socket.send('x'.repeat(4096));
    expect((await client.closed).code).toBe(1009);
  });

  it('drops a client that stops reading instead of buffering without bound', async () => {
    const memory = memorySource();
    warnings.length = 0;
    server = await startDashboardServer({ source: memory.source, log, port: 0, maxBufferedBytes: 256 * 1024 });
    // A raw client that completes the handshake and then never reads.
    const socket = connectTcp(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `GET /ws?token=${server.token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n` +
        // A masked text frame: {"type":"subscribe"} (masking key 0).
        Buffer.concat([Buffer.from([0x81, 0x80 | 20, 0, 0, 0, 0]), Buffer.from('{"type":"subscribe"}')]).toString('latin1'),
      'latin1',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.pause();
    const payload = 'x'.repeat(16 * 1024);
    for (let index = 0; index < 4000 && warnings.length === 0; index += 1) {
      memory.emit('run-1', 'worker_activity', { payload });
      if (index % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => warnings.some((warning) => warning.includes('dropping a dashboard client')));
    socket.destroy();
  });

  it('serves the dashboard page and nothing outside its files', async () => {
    server = await startDashboardServer({ source: memorySource().source, log, port: 0 });
    const page = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect((await fetch(`http://127.0.0.1:${server.port}/../package.json`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/%2e%2e/package.json`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/app.js`, { method: 'POST' })).status).toBe(405);
  });
});
