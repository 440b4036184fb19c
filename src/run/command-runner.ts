import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface CommandResult {
  /** Exit code; null when the command could not start or was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why it could not start (e.g. ENOENT), when it could not. */
  message?: string;
}

export interface CommandOptions {
  cwd: string;
  /** The environment; a helper is sent each environment object once and keeps it. */
  env?: NodeJS.ProcessEnv;
  /** Variables set on top of `env` for this command only. */
  extraEnv?: Record<string, string>;
  /** What to write to the command's stdin; bytes go as they are. */
  input?: string | Buffer;
}

const helperPath = fileURLToPath(new URL('../../dist/run/command-runner-child.js', import.meta.url));

interface Helper {
  child: ChildProcessWithoutNullStreams;
  pending: Map<number, (result: CommandResult) => void>;
  /** Environments this helper has been sent, by the id it knows them by. */
  environments: WeakMap<object, number>;
}

/**
 * Runs short commands (git, mostly) through small helper processes. Spawning straight from the
 * orchestrator costs ~10 ms of blocked event loop per command once it holds 150 MB, and a run
 * issues thousands; a helper forks in ~2 ms and off our loop. Falls back to spawning directly
 * when the helper is not built.
 */
export class CommandRunner {
  private readonly helpers: Helper[] = [];
  private nextId = 1;
  private nextEnvironment = 1;
  private turn = 0;
  private closed = false;

  constructor(private readonly size = 2) {}

  run(command: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
    const helper = this.helper();
    if (!helper) return runDirectly(command, args, options);
    const id = this.nextId++;
    let envId: number | undefined;
    let env: NodeJS.ProcessEnv | undefined;
    if (options.env) {
      envId = helper.environments.get(options.env);
      if (envId === undefined) {
        envId = this.nextEnvironment++;
        helper.environments.set(options.env, envId);
        env = options.env;
      }
    }
    return new Promise((resolve) => {
      helper.pending.set(id, resolve);
      if (helper.pending.size === 1) setReferenced(helper, true);
      const input = typeof options.input === 'string' ? { input: options.input } : options.input ? { inputBase64: options.input.toString('base64') } : {};
      helper.child.stdin.write(`${JSON.stringify({ id, command, args, cwd: options.cwd, envId, env, extraEnv: options.extraEnv, ...input })}\n`);
    });
  }

  private helper(): Helper | undefined {
    if (this.closed || !existsSync(helperPath)) return undefined;
    // All helpers start together: each takes tens of milliseconds to boot.
    while (this.helpers.length < this.size) this.helpers.push(this.start());
    const helper = this.helpers[this.turn++ % this.helpers.length]!;
    return helper;
  }

  private start(): Helper {
    // Without NODE_EXTRA_CA_CERTS, which Node.js parses at every start; the helper makes no TLS connections.
    const { NODE_EXTRA_CA_CERTS: _unused, ...env } = process.env;
    const child = spawn(process.execPath, [helperPath], { stdio: ['pipe', 'pipe', 'pipe'], env });
    const helper: Helper = { child, pending: new Map(), environments: new WeakMap() };
    child.stdin.on('error', () => {});
    child.stderr.resume();
    // An idle helper must not keep the orchestrator alive; a busy one must.
    setReferenced(helper, false);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const result = JSON.parse(line) as CommandResult & { id: number };
      const resolve = helper.pending.get(result.id);
      helper.pending.delete(result.id);
      if (helper.pending.size === 0) setReferenced(helper, false);
      resolve?.({ code: result.code, stdout: result.stdout, stderr: result.stderr, message: result.message });
    });
    child.on('exit', () => {
      // A helper that died fails its requests; the next call starts a fresh one.
      const index = this.helpers.indexOf(helper);
      if (index !== -1) this.helpers.splice(index, 1);
      for (const resolve of helper.pending.values()) resolve({ code: null, stdout: '', stderr: '', message: 'the command runner exited' });
      helper.pending.clear();
    });
    child.on('error', () => {});
    return helper;
  }

  close(): void {
    this.closed = true;
    for (const helper of this.helpers.splice(0)) helper.child.stdin.end();
  }
}

function setReferenced(helper: Helper, referenced: boolean): void {
  for (const handle of [helper.child, helper.child.stdin, helper.child.stdout, helper.child.stderr] as unknown as { ref?: () => void; unref?: () => void }[]) {
    if (referenced) handle.ref?.();
    else handle.unref?.();
  }
}

function runDirectly(command: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  return new Promise((resolve) => {
    const env = options.extraEnv ? { ...(options.env ?? process.env), ...options.extraEnv } : options.env;
    const child = execFile(command, [...args], { cwd: options.cwd, env, maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr, message: error && typeof error.code !== 'number' ? error.message : undefined });
    });
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input ?? '');
  });
}

/** The process-wide runner; its helpers end when this process does (their stdin closes). */
export const commandRunner = new CommandRunner();
