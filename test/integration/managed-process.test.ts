/**
 * Stopping a worker process by escalation, against real processes: a stop already under way
 * (the run's end) is overtaken by a hastier one (the server going away).
 */
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ManagedProcess } from '../../src/workers/process/managed-process.js';
import { isProcessAlive } from '../helpers/run-helpers.js';

describe('stopping a worker process', () => {
  it('lets a hastier stop overtake one under way, down to SIGKILL of the group', async () => {
    // Ignores the end of its input and SIGTERM: only SIGKILL ends it.
    const process = await ManagedProcess.start({ command: '/bin/sh', args: ['-c', 'trap "" TERM; while :; do sleep 0.05; done'], cwd: tmpdir(), env: { PATH: '/usr/bin:/bin' } });
    const pid = process.child.pid!;
    const slow = process.stop({ graceMs: 20_000, termMs: 20_000 });
    const started = Date.now();
    const exit = await process.stop({ graceMs: 100, termMs: 100 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(exit.signal).toBe('SIGKILL');
    await slow;
    expect(isProcessAlive(pid)).toBe(false);
  });
});
