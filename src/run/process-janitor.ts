import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { killProcessGroup } from '../workers/process/managed-process.js';
import type { RunRecords } from '../store/run-records.js';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Guards against pid reuse: on Linux, only a process still running the recorded command is killed. */
function stillRunsCommand(pid: number, command: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(basename(command));
  } catch {
    return process.platform !== 'linux' && isAlive(pid);
  }
}

/**
 * Kills worker processes that a crashed orchestrator left behind (their owner pid is gone),
 * whole process groups at a time. Returns what it killed.
 */
export function killOrphanedWorkers(records: RunRecords): number[] {
  const killed: number[] = [];
  const now = new Date().toISOString();
  for (const orphan of records.orphanedProcesses(isAlive)) {
    if (isAlive(orphan.pid) && stillRunsCommand(orphan.pid, orphan.command)) {
      killProcessGroup(orphan.pid, 'SIGKILL');
      killed.push(orphan.pid);
    }
    records.endProcess(orphan.pid, now);
  }
  return killed;
}
