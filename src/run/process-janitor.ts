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

/** The kernel's start time of a process (field 22 of /proc/PID/stat), or null where there is no /proc. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces; fields are counted after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Guards against pid reuse: only the very process that was recorded (same start time) is killed. */
function isSameProcess(orphan: { pid: number; command: string; processStart: string | null }): boolean {
  const start = processStartTime(orphan.pid);
  if (orphan.processStart !== null && start !== null) return start === orphan.processStart;
  try {
    return readFileSync(`/proc/${orphan.pid}/cmdline`, 'utf8').includes(basename(orphan.command));
  } catch {
    return false;
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
    if (isAlive(orphan.pid) && isSameProcess(orphan)) {
      killProcessGroup(orphan.pid, 'SIGKILL');
      killed.push(orphan.pid);
    }
    records.endProcess(orphan.pid, now);
  }
  return killed;
}
