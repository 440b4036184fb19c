/**
 * The whole live path: a line appended to a worker's AP log until a WebSocket client holds the
 * parsed `worker_activity` (log monitor -> event bus -> event log -> dashboard server -> client),
 * at 100 lines/s. One clock: the client runs in this process.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { startDashboardServer } from '../src/events/dashboard-server.js';
import { EventBus } from '../src/events/event-bus.js';
import { Store } from '../src/store/store.js';
import { LogMonitor } from '../src/workers/log-monitor/log-monitor.js';

const lines = 500;
const intervalMs = 10;
const folder = mkdtempSync(join(tmpdir(), 'ap-bench-live-'));
const logPath = join(folder, 'worker.log');
writeFileSync(logPath, '');
const store = Store.open(join(folder, 'orchestrator.db'));
const bus = new EventBus(store.events);
const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };
const server = await startDashboardServer({
  source: { subscribe: (listener) => bus.subscribe(listener), replay: () => [], runs: () => [] },
  log: quiet,
  port: 0,
});
const monitor = new LogMonitor({
  sources: [{ workerId: 'w1', patterns: [logPath], format: 'ap' }],
  fromStart: false,
  onActivity: (workerId, activity) => bus.emit('run-live', 'worker_activity', { run_id: 'run-live', worker_id: workerId, activity_type: activity.kind, tool_name: activity.toolName ?? null, description: activity.description, file_path: activity.filePath ?? null }),
});
await monitor.start();

const appendedAt = new Map<number, number>();
const latencies: number[] = [];
const client = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
client.on('message', (data) => {
  const arrived = performance.now();
  const parsed = JSON.parse(data.toString()) as Record<string, unknown> | Record<string, unknown>[];
  for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
    if (message.type !== 'worker_activity') continue;
    const index = Number(/f(\d+)\.ts/.exec(String(message.file_path))?.[1]);
    const sent = appendedAt.get(index);
    if (sent !== undefined) latencies.push(arrived - sent);
  }
});
await new Promise<void>((resolve) => client.once('open', () => resolve()));
client.send(JSON.stringify({ type: 'subscribe' }));
await new Promise((resolve) => setTimeout(resolve, 300));

for (let index = 0; index < lines; index += 1) {
  appendedAt.set(index, performance.now());
  appendFileSync(logPath, `[${new Date().toISOString().slice(0, 19)}] TOOL: write_file - Writing src/f${index}.ts\n`);
  await new Promise((resolve) => setTimeout(resolve, intervalMs));
}
await new Promise((resolve) => setTimeout(resolve, 500));
latencies.sort((a, b) => a - b);
const at = (fraction: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * fraction))] ?? Number.NaN) * 100) / 100;
client.close();
await monitor.close();
await server.close();
store.close();
rmSync(folder, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ benchmark: 'log-to-websocket', lines, received: latencies.length, missing: lines - latencies.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1), target: { p99Ms: 10 }, pass: latencies.length === lines && at(0.99) <= 10 })}\n`);
