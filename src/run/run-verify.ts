import { ManagedProcess } from '../workers/process/managed-process.js';
import type { VerifyResult } from '../store/run-records.js';

const tailBytes = 4_000;

/**
 * Runs the verify command (through /bin/sh, so `npm test && npm run lint` works) in the
 * integration worktree. A timeout or a cancel kills its whole process group.
 */
export async function runVerify(
  command: string,
  cwd: string,
  timeoutSeconds: number,
  signal: AbortSignal,
  observer: { started(pid: number): void; exited(pid: number): void } = { started: () => {}, exited: () => {} },
): Promise<VerifyResult> {
  const started = Date.now();
  if (signal.aborted) return { command, passed: false, exitCode: null, durationMs: 0, outputTail: '[ap-orchestrator] not run: the run was cancelled', timedOut: false };
  let output = '';
  const keep = (text: string) => {
    output = (output + text).slice(-tailBytes * 2);
  };
  const child = await ManagedProcess.start({ command: '/bin/sh', args: ['-c', command], cwd, env: { ...(process.env as Record<string, string>), CI: 'true' }, onStderr: keep });
  child.child.stdout.on('data', (chunk: Buffer) => keep(chunk.toString('utf8')));
  child.child.stdin.end();
  const pid = child.pid;
  if (pid !== undefined) observer.started(pid);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void child.stop({ graceMs: 0, termMs: 2_000 });
  }, timeoutSeconds * 1000);
  const onAbort = () => void child.stop({ graceMs: 0, termMs: 2_000 });
  signal.addEventListener('abort', onAbort, { once: true });
  const exit = await child.exited;
  clearTimeout(timer);
  signal.removeEventListener('abort', onAbort);
  await child.stop({ graceMs: 0, termMs: 500 });
  if (pid !== undefined) observer.exited(pid);
  const outputTail = output.slice(-tailBytes) + (timedOut ? `\n[ap-orchestrator] verify timed out after ${timeoutSeconds} s and was killed]` : '');
  return { command, passed: !timedOut && exit.code === 0, exitCode: exit.code, durationMs: Date.now() - started, outputTail, timedOut };
}
