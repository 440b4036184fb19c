/**
 * WebSocket fan-out: C clients (in another process) subscribed to every event, the server emitting
 * R events/s for a few seconds. Delivery latency per event per client against one clock, and loss.
 */
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startDashboardServer } from '../src/events/dashboard-server.js';
import type { EventSource } from '../src/events/workspace-event-source.js';
import type { StoredEvent } from '../src/store/event-records.js';

const scenarios = [
  { clients: 100, eventsPerSecond: 10_000, seconds: 4, targetP99Ms: 50 },
  { clients: 1000, eventsPerSecond: 1_000, seconds: 4, targetP99Ms: 100 },
];
const now = () => performance.timeOrigin + performance.now();
const log = { error: () => {}, warn: (message: string) => process.stderr.write(`${message}\n`), info: () => {}, debug: () => {} };

for (const scenario of scenarios) {
  const listeners = new Set<(event: StoredEvent) => void>();
  const source: EventSource = {
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    replay: () => [],
    runs: () => [],
  };
  const server = await startDashboardServer({ source, log, port: 0, maxBufferedBytes: 64 * 1024 * 1024 });
  const child = fork(fileURLToPath(new URL('./websocket-fanout-clients.mjs', import.meta.url)), [`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, String(scenario.clients)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve) => child.once('message', () => resolve()));

  const total = scenario.eventsPerSecond * scenario.seconds;
  let seq = 0;
  const started = now();
  // Emit in 1 ms slices at the target rate, the way a busy run's activity arrives.
  while (seq < total) {
    const due = Math.min(total, Math.floor(((now() - started) / 1000) * scenario.eventsPerSecond));
    while (seq < due) {
      seq += 1;
      const event: StoredEvent = { seq, runId: 'run-bench', type: 'worker_activity', timestamp: new Date().toISOString(), payload: { sent_at: now(), worker_id: `w${seq % 20}`, activity_type: 'tool_use', description: 'Writing src/x.ts' } };
      for (const listener of listeners) listener(event);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  child.send({ type: 'done', expected: total });
  const result = await new Promise<{ received: number; p50: number; p99: number; max: number; clientsComplete: number }>((resolve) => child.once('message', (message) => resolve(message as never)));
  child.kill();
  await server.close();
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'websocket-fanout',
      clients: scenario.clients,
      eventsPerSecond: scenario.eventsPerSecond,
      seconds: scenario.seconds,
      deliveries: result.received,
      expectedDeliveries: total * scenario.clients,
      lost: total * scenario.clients - result.received,
      p50Ms: result.p50,
      p99Ms: result.p99,
      maxMs: result.max,
      targetP99Ms: scenario.targetP99Ms,
      pass: result.received === total * scenario.clients && result.p99 <= scenario.targetP99Ms,
    })}\n`,
  );
}
