/**
 * The spawner helper (see spawner.ts): starts processes for the orchestrator, hands it their
 * stdin and stdout, passes their stderr on, and reports how they ended. It ends when the
 * orchestrator does.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Socket } from 'node:net';

interface SpawnRequest {
  id: number;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

const send = (message: Record<string, unknown>, handle?: Socket) => {
  if (process.connected) process.send!(message, handle);
};

process.on('message', (request: SpawnRequest) => {
  const { id } = request;
  let child: ChildProcessWithoutNullStreams;
  try {
    child = spawn(request.command, request.args, { cwd: request.cwd, env: request.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true, shell: false });
  } catch (error) {
    send({ id, error: { message: (error as Error).message, code: (error as NodeJS.ErrnoException).code } });
    return;
  }
  child.once('spawn', () => {
    // The pipes go to the orchestrator and are closed here: the child sees its input end when the
    // orchestrator ends it. A child that is gone before its pipe is sent is reported by its exit.
    send({ id, pid: child.pid, stream: 'stdin' }, child.stdin as unknown as Socket);
    send({ id, stream: 'stdout' }, child.stdout as unknown as Socket);
  });
  // stderr is passed on as text: what a child says as it dies must not be lost with its pipe.
  child.stderr.on('data', (chunk: Buffer) => send({ id, stderr: chunk.toString('utf8') }));
  const stderrClosed = new Promise((resolve) => child.stderr.once('close', resolve));
  child.once('error', (error: NodeJS.ErrnoException) => send({ id, error: { message: error.message, code: error.code } }));
  child.once('exit', (code, signal) => {
    // Its last words first; a grandchild holding stderr open does not hold the news back for long.
    void Promise.race([stderrClosed, new Promise((resolve) => setTimeout(resolve, 200))]).then(() => send({ id, exit: { code, signal } }));
  });
});

process.on('disconnect', () => process.exit(0));
