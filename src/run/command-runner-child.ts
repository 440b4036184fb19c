/**
 * The command runner's helper process: reads one JSON request per line on stdin, runs the command
 * (no shell), and answers one JSON line on stdout. It is small, so forking from it is cheap; the
 * orchestrator's own process grows large, and Node forks synchronously on its event loop.
 * It exits when its stdin closes, so it never outlives the orchestrator.
 */
import { execFile } from 'node:child_process';
import { createInterface } from 'node:readline';

interface Request {
  id: number;
  command: string;
  args: string[];
  cwd: string;
  /** The environment by id; sent along (`env`) the first time only. */
  envId?: number;
  env?: Record<string, string>;
  extraEnv?: Record<string, string>;
  input?: string;
  /** Input that is bytes rather than text. */
  inputBase64?: string;
}

const environments = new Map<number, Record<string, string>>();

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let request: Request;
  try {
    request = JSON.parse(line) as Request;
  } catch {
    return;
  }
  if (request.envId !== undefined && request.env) environments.set(request.envId, request.env);
  const base = (request.envId === undefined ? undefined : environments.get(request.envId)) ?? process.env;
  const env = request.extraEnv ? { ...base, ...request.extraEnv } : base;
  const child = execFile(request.command, request.args, { cwd: request.cwd, env, maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
    const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
    const message = error && typeof error.code !== 'number' ? error.message : undefined;
    process.stdout.write(`${JSON.stringify({ id: request.id, code, stdout, stderr, message })}\n`);
  });
  child.stdin?.on('error', () => {});
  child.stdin?.end(request.inputBase64 === undefined ? (request.input ?? '') : Buffer.from(request.inputBase64, 'base64'));
});
lines.on('close', () => process.exit(0));
