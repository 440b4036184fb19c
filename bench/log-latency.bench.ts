/**
 * Log monitor latency: a LogMonitor follows an AP log while a writer appends one line every
 * 10 ms for 5 s (100 lines a second); each line's time from the write to onActivity is measured.
 * The WebSocket leg of the path to the dashboard is not part of this figure.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LogMonitor } from '../src/workers/log-monitor/log-monitor.js';

const intervalMs = 10;
const durationMs = 5000;
const targetP99Ms = 10;

const folder = mkdtempSync(join(tmpdir(), 'ap-log-latency-'));
try {
  const path = join(folder, 'worker.log');
  const file = openSync(path, 'a');
  const writtenAt: number[] = [];
  const latencies: number[] = [];
  const monitor = new LogMonitor({
    sources: [{ workerId: 'bench', patterns: [join(folder, '*.log')], format: 'auto' }],
    fromStart: true,
    onActivity: (_workerId, activity) => {
      const index = Number(/file-(\d+)\.ts/.exec(activity.description)?.[1]);
      const sent = writtenAt[index];
      if (sent !== undefined) latencies.push(performance.now() - sent);
    },
  });
  await monitor.start();

  const count = durationMs / intervalMs;
  await new Promise<void>((done) => {
    let index = 0;
    const timer = setInterval(() => {
      const stamp = new Date().toISOString().slice(0, 19);
      writtenAt[index] = performance.now();
      writeSync(file, `[${stamp}] TOOL: write_file - Writing src/file-${index}.ts\n`);
      index += 1;
      if (index === count) {
        clearInterval(timer);
        done();
      }
    }, intervalMs);
  });
  // The last lines get a moment to arrive; a line that never does shows up as missing.
  const deadline = performance.now() + 1000;
  while (latencies.length < count && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  closeSync(file);
  await monitor.close();

  const sorted = [...latencies].sort((a, b) => a - b);
  const percentile = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
  const round = (value: number) => Math.round(value * 1000) / 1000;
  const p99Ms = round(percentile(0.99));
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'log-latency',
      lines: latencies.length,
      missing: count - latencies.length,
      p50Ms: round(percentile(0.5)),
      p99Ms,
      maxMs: round(sorted.at(-1) ?? Number.NaN),
      target: { p99Ms: targetP99Ms },
      pass: latencies.length === count && p99Ms <= targetP99Ms,
    })}\n`,
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
