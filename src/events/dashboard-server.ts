import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../logger.js';
import type { StoredEvent } from '../store/event-records.js';
import { createHttpServer } from './http-server.js';
import { serveDashboardFile } from './static-files.js';
import type { EventSource } from './workspace-event-source.js';

export interface DashboardServerOptions {
  source: EventSource;
  log: Logger;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Given for tests; a random one is made otherwise. */
  token?: string;
  /** Extra origins allowed besides the dashboard's own (e.g. a dev server). */
  allowedOrigins?: string[];
  /** Largest message a client may send. */
  maxPayloadBytes?: number;
  /** A client whose unsent data passes this is dropped rather than buffered. */
  maxBufferedBytes?: number;
  heartbeatMs?: number;
}

export interface DashboardServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

interface Client {
  socket: WebSocket;
  /** null: every run; otherwise only this run's events. */
  runFilter: string | null | undefined;
  /** Highest seq sent per run: replay and live never repeat or skip one. */
  lastSeq: Map<string, number>;
  alive: boolean;
  badMessages: number;
}

const replayPage = 1000;
const maxBadMessages = 20;

/**
 * The dashboard's HTTP and WebSocket server, on one port. Clients need the per-start token;
 * browsers must come from the dashboard's own origin. Every event goes out with its `seq`, so a
 * client that reconnects with the last seq it saw gets exactly the gap replayed.
 *
 * Frames: one JSON message object, or, when several are ready at once, a JSON array of them.
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const token = options.token ?? randomBytes(18).toString('base64url');
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const clients = new Set<Client>();
  const http = createHttpServer((request, response) => {
    void serveDashboardFile(request, response);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? 64 * 1024, perMessageDeflate: false });
  const ownOrigins = new Set<string>();

  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const refusal = refuse(request, url);
      if (refusal) {
        // Completing the handshake first lets the client see why: close code 1008.
        ws.close(1008, refusal);
        return;
      }
      accept(ws);
    });
  });

  function refuse(request: IncomingMessage, url: URL): string | undefined {
    const given = Buffer.from(url.searchParams.get('token') ?? '');
    const expected = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'missing or wrong token';
    const requestOrigin = request.headers.origin;
    if (requestOrigin !== undefined && !ownOrigins.has(requestOrigin) && !(options.allowedOrigins ?? []).includes(requestOrigin)) return 'origin not allowed';
    return undefined;
  }

  function accept(socket: WebSocket): void {
    const client: Client = { socket, runFilter: undefined, lastSeq: new Map(), alive: true, badMessages: 0 };
    clients.add(client);
    socket.on('pong', () => (client.alive = true));
    socket.on('error', () => {});
    socket.on('close', () => clients.delete(client));
    socket.on('message', (data, isBinary) => {
      // Nothing a client sends may take the server down.
      try {
        onMessage(client, isBinary ? '' : data.toString());
      } catch (error) {
        options.log.warn('a dashboard message failed', error);
        send(client, { type: 'error', error: 'The server could not handle that message.' });
      }
    });
    send(client, { type: 'connected', message: 'Connected to AP', timestamp: new Date().toISOString(), protocol: 1 });
  }

  function onMessage(client: Client, text: string): void {
    let message: { type?: unknown; run_id?: unknown; after_seq?: unknown; limit?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
      if (!message || typeof message !== 'object') throw new Error('not an object');
    } catch {
      return badMessage(client, 'Messages must be JSON objects with a "type".');
    }
    switch (message.type) {
      case 'subscribe': {
        const runId = typeof message.run_id === 'string' ? message.run_id : null;
        const afterSeq = Number.isInteger(message.after_seq) && (message.after_seq as number) >= 0 ? (message.after_seq as number) : 0;
        client.runFilter = runId;
        if (runId) replay(client, runId, afterSeq);
        send(client, { type: 'subscribed', run_id: runId, after_seq: afterSeq });
        return;
      }
      case 'list_runs':
        send(client, { type: 'runs', runs: options.source.runs(Number.isInteger(message.limit) && (message.limit as number) > 0 ? Math.min(200, message.limit as number) : 50) });
        return;
      case 'ping':
        send(client, { type: 'pong', timestamp: new Date().toISOString() });
        return;
      default:
        return badMessage(client, `Unknown message type ${JSON.stringify(message.type)}; use subscribe, list_runs or ping.`);
    }
  }

  function badMessage(client: Client, error: string): void {
    client.badMessages += 1;
    if (client.badMessages > maxBadMessages) {
      client.socket.close(1008, 'too many invalid messages');
      return;
    }
    send(client, { type: 'error', error });
  }

  /**
   * Sends a run's stored events after `afterSeq` right away, page by page: nothing live can be
   * sent in between, so the client sees them in order, without a gap or a repeat.
   */
  function replay(client: Client, runId: string, afterSeq: number): void {
    // The client says what it has: from here on, nothing after `afterSeq` is missed or repeated.
    client.lastSeq.set(runId, afterSeq);
    let cursor = afterSeq;
    for (;;) {
      const events = options.source.replay(runId, cursor, replayPage);
      if (events === undefined) {
        send(client, { type: 'error', error: `No run with id "${runId}".` });
        return;
      }
      if (events.length > 0) {
        sendRaw(client, frameOf(events.map(encode)));
        client.lastSeq.set(runId, events[events.length - 1]!.seq);
      }
      if (events.length < replayPage) return;
      cursor = events[events.length - 1]!.seq;
    }
  }

  function send(client: Client, message: unknown): void {
    sendRaw(client, JSON.stringify(message));
  }

  function sendRaw(client: Client, frame: string): void {
    const socket = client.socket;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > maxBuffered) {
      // Memory stays bounded: a client that cannot keep up reconnects and replays what it missed.
      options.log.warn(`dropping a dashboard client that fell ${socket.bufferedAmount} bytes behind`);
      socket.terminate();
      clients.delete(client);
      return;
    }
    socket.send(frame);
  }

  // Live events are gathered for a tick, encoded once, and sent as one frame that every client
  // watching the same events shares: fan-out costs a send per client, not a serialization.
  let live: StoredEvent[] = [];
  let liveScheduled = false;
  const unsubscribe = options.source.subscribe((event) => {
    live.push(event);
    if (!liveScheduled) {
      liveScheduled = true;
      // With many clients, a few milliseconds of gathering saves thousands of sends a second;
      // with few, events go out on the next turn of the loop.
      const windowMs = Math.min(20, Math.floor(clients.size / 50));
      if (windowMs === 0) setImmediate(flushLive);
      else setTimeout(flushLive, windowMs);
    }
  });

  function flushLive(): void {
    liveScheduled = false;
    const batch = live;
    live = [];
    if (batch.length === 0 || clients.size === 0) return;
    const encoded = batch.map(encode);
    let everything: string | undefined;
    for (const client of clients) {
      if (client.runFilter === undefined) continue;
      const chosen: number[] = [];
      for (let index = 0; index < batch.length; index += 1) {
        const event = batch[index]!;
        // Watching one run, a client still hears runs start and end, to offer them.
        const announcement = event.type === 'run_started' || event.type === 'run_finished';
        if (client.runFilter !== null && client.runFilter !== event.runId && !announcement) continue;
        const runId = event.runId ?? '';
        if ((client.lastSeq.get(runId) ?? 0) >= event.seq) continue;
        client.lastSeq.set(runId, event.seq);
        chosen.push(index);
      }
      if (chosen.length === 0) continue;
      if (chosen.length === batch.length) sendRaw(client, (everything ??= frameOf(encoded)));
      else sendRaw(client, frameOf(chosen.map((index) => encoded[index]!)));
    }
  }

  const heartbeat = setInterval(() => {
    for (const client of clients) {
      if (!client.alive) {
        client.socket.terminate();
        clients.delete(client);
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }, options.heartbeatMs ?? 15_000);
  heartbeat.unref();

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 8765, host, () => {
      http.removeListener('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${shownHost}:${port}`;
  ownOrigins.add(origin);
  // A browser on a loopback server may name it either way.
  if (['127.0.0.1', '::1', 'localhost'].includes(host)) for (const name of ['127.0.0.1', 'localhost', '[::1]']) ownOrigins.add(`http://${name}:${port}`);
  let closed = false;
  return {
    url: `${origin}/?token=${token}`,
    port,
    token,
    close: async () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      clearInterval(heartbeat);
      for (const client of clients) client.socket.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => setTimeout(resolve, 50).unref());
      for (const client of clients) client.socket.terminate();
      clients.clear();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** One event as a message: `type`, `seq`, `timestamp`, `run_id` and the payload's fields, from the JSON made once. */
function encode(event: StoredEvent): string {
  const payload = event.payloadJson ?? JSON.stringify(event.payload);
  const head = `{"type":${JSON.stringify(event.type)},"seq":${event.seq},"timestamp":${JSON.stringify(event.timestamp)}${event.payload.run_id === undefined ? `,"run_id":${JSON.stringify(event.runId)}` : ''}`;
  return payload === '{}' ? `${head}}` : `${head},${payload.slice(1)}`;
}

/** A frame is one message, or an array of them. */
function frameOf(messages: readonly string[]): string {
  return messages.length === 1 ? messages[0]! : `[${messages.join(',')}]`;
}
