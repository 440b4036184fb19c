/** Event log append rate, with the events table's indexes in place, through the bus as a run uses it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EventBus } from '../src/events/event-bus.js';
import { Store } from '../src/store/store.js';

const folder = mkdtempSync(join(tmpdir(), 'ap-bench-events-'));
const store = Store.open(join(folder, 'orchestrator.db'));
const bus = new EventBus(store.events);
const total = 500_000;
const perTick = 1_000;
const payload = { worker_id: 'builtin-7', objective_id: 'auth-tokens', activity_type: 'tool_use', tool_name: 'write_file', description: 'Writing src/auth/token.ts', file_path: 'src/auth/token.ts' };

const start = performance.now();
for (let written = 0; written < total; written += perTick) {
  for (let index = 0; index < perTick; index += 1) bus.emit('run-bench', 'worker_activity', payload);
  bus.flush();
}
const ms = performance.now() - start;
const stored = store.events.maxSeq();
store.close();
rmSync(folder, { recursive: true, force: true });
const perSecond = Math.round(total / (ms / 1000));
process.stdout.write(`${JSON.stringify({ benchmark: 'event-log', events: total, stored, ms: Math.round(ms), eventsPerSecond: perSecond, target: 200_000, pass: stored === total && perSecond >= 200_000 })}\n`);
