import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/events/event-bus.js';
import { Store } from '../../../src/store/store.js';
import { activityFromText } from '../../../src/workers/activity.js';

describe('event bus', () => {
  const folders: string[] = [];
  afterEach(() => folders.splice(0).forEach((folder) => rmSync(folder, { recursive: true, force: true })));

  it('never reuses a seq when two processes write one event log', () => {
    const folder = mkdtempSync(join(tmpdir(), 'ap-bus-'));
    folders.push(folder);
    // Two stores on one file stand for a server and a CLI working on the same repository.
    const first = Store.open(join(folder, 'orchestrator.db'));
    const second = Store.open(join(folder, 'orchestrator.db'));
    const server = new EventBus(first.events);
    const cli = new EventBus(second.events);
    const heard: number[] = [];
    server.subscribe((event) => heard.push(event.seq));
    server.emit('run-a', 'worker_activity', { n: 1 });
    cli.emit('run-b', 'worker_activity', { n: 2 });
    cli.flush();
    server.emit('run-a', 'worker_activity', { n: 3 });
    expect(() => server.flush()).not.toThrow();
    const seqs = [...first.events.listAfter('run-a', 0), ...first.events.listAfter('run-b', 0)].map((event) => event.seq).sort();
    expect(seqs).toEqual([1, 2, 3]);
    expect(heard).toEqual([2, 3]);
    expect(server.lastSeq).toBe(3);
    first.close();
    second.close();
  });

  it('keeps a timestamp on activities whose text came without one', () => {
    expect(activityFromText('write_file - Writing src/a.ts', 'mcp').timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
});
