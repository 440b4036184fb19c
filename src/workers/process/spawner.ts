import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** What a ManagedProcess uses of its child: Node's ChildProcess has all of it. */
export interface ChildHandle {
  readonly pid?: number | undefined;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  once(event: 'error', listener: (error: Error) => void): this;
}

export interface SpawnOptions {
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
}

const helperPath = fileURLToPath(new URL('../../../dist/workers/process/spawner-child.js', import.meta.url));

interface Message {
  id: number;
  pid?: number;
  stream?: 'stdin' | 'stdout';
  stderr?: string;
  error?: { message: string; code?: string };
  exit?: { code: number | null; signal: NodeJS.Signals | null };
}

/**
 * A process the helper started. Its end (and a failure to start) is kept and told to listeners
 * that come later: a command can end before its owner listens.
 */
class RemoteChild extends EventEmitter implements ChildHandle {
  pid: number | undefined;
  readonly stdin = new PassThrough();
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  private readonly ended: { event: 'exit' | 'error'; args: unknown[] }[] = [];

  get exited(): boolean {
    return this.ended.some((entry) => entry.event === 'exit');
  }

  settle(event: 'exit' | 'error', ...args: unknown[]): void {
    if (event === 'exit') {
      if (this.exited) return;
      this.stderr.end();
    }
    this.ended.push({ event, args });
    // Nobody listening yet: `once` tells it to whoever comes (an unheard 'error' would throw).
    if (this.listenerCount(event) > 0) this.emit(event, ...args);
  }

  override once(event: string | symbol, listener: (...args: never[]) => void): this {
    const past = this.ended.find((entry) => entry.event === event);
    if (past) setImmediate(() => (listener as (...args: unknown[]) => void)(...past.args));
    else super.once(event, listener as (...args: unknown[]) => void);
    return this;
  }
}

interface Pending {
  child: RemoteChild;
  streams: number;
  resolve: (child: RemoteChild) => void;
  reject: (error: Error) => void;
  settled: boolean;
}

/**
 * Starts processes from a small helper instead of from this process. Node forks synchronously,
 * and forking a process that holds 150 MB blocks its event loop for 15-20 ms: starting twenty
 * workers would stall the run for a third of a second. The helper forks in a millisecond or two
 * and passes each child's stdin and stdout over its IPC channel; stderr and the exit come as
 * messages. Without the built helper (running from source), processes are spawned here.
 */
export class Spawner {
  private helper: ChildProcess | undefined;
  private readonly children = new Map<number, Pending>();
  private nextId = 1;

  /** A started child; rejects as `spawn` throws (E2BIG); a command that is not there is an 'error' event, as with spawn. */
  async spawn(options: SpawnOptions): Promise<ChildHandle> {
    const helper = this.ready();
    if (!helper) return spawnHere(options);
    const id = this.nextId++;
    const child = new RemoteChild();
    const started = new Promise<RemoteChild>((resolve, reject) => this.children.set(id, { child, streams: 0, resolve, reject, settled: false }));
    this.reference(true);
    helper.send({ id, command: options.command, args: options.args, cwd: options.cwd, env: options.env });
    return started;
  }

  private ready(): ChildProcess | undefined {
    if (this.helper) return this.helper;
    if (!existsSync(helperPath)) return undefined;
    // Without NODE_EXTRA_CA_CERTS, which Node.js parses at every start; the helper makes no TLS connections.
    const { NODE_EXTRA_CA_CERTS: _unused, ...env } = process.env;
    const helper = spawn(process.execPath, [helperPath], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env, serialization: 'json' });
    this.helper = helper;
    helper.on('message', (message: Message, handle?: Socket) => this.receive(message, handle));
    helper.once('exit', () => this.lost(helper));
    helper.on('error', () => this.lost(helper));
    return helper;
  }

  private receive(message: Message, handle?: Socket): void {
    const entry = this.children.get(message.id);
    if (!entry) {
      handle?.destroy();
      return;
    }
    const { child } = entry;
    if (message.stream) {
      if (message.pid !== undefined) child.pid = message.pid;
      if (handle) {
        // A pipe can fail (EPIPE, a reset) when the child dies; its exit tells the story.
        handle.on('error', () => {});
        if (message.stream === 'stdin') child.stdin.pipe(handle);
        else handle.pipe(child.stdout);
      } else if (message.stream === 'stdout') child.stdout.end();
      entry.streams += 1;
      if (entry.streams === 2) this.settle(entry);
      return;
    }
    if (message.stderr !== undefined) {
      child.stderr.write(message.stderr);
      return;
    }
    if (message.error) {
      const error = Object.assign(new Error(message.error.message), { code: message.error.code });
      // As with spawn: only arguments the system refuses (E2BIG) throw; otherwise the child
      // exists, without a pid, and reports 'error'.
      if (!entry.settled && message.error.code === 'E2BIG') {
        entry.settled = true;
        this.children.delete(message.id);
        entry.reject(error);
        this.reference(this.children.size > 0);
        return;
      }
      this.settle(entry);
      child.stdin.end();
      child.stdout.end();
      child.settle('error', error);
      this.end(message.id, null, null);
      return;
    }
    if (message.exit) this.end(message.id, message.exit.code, message.exit.signal);
  }

  private settle(entry: Pending): void {
    if (entry.settled) return;
    entry.settled = true;
    entry.resolve(entry.child);
  }

  private end(id: number, code: number | null, signal: NodeJS.Signals | null): void {
    const entry = this.children.get(id);
    if (!entry) return;
    this.children.delete(id);
    // A child gone before its pipes came over: its owner still gets it, ended.
    if (!entry.settled) {
      entry.child.stdout.end();
      this.settle(entry);
    }
    entry.child.settle('exit', code, signal);
    this.reference(this.children.size > 0);
  }

  /**
   * The helper died (killed with a process group, say): children it started may live on, and
   * nobody reports their end now, so they are watched until they are gone.
   */
  private lost(helper: ChildProcess): void {
    if (this.helper !== helper) return;
    this.helper = undefined;
    for (const [id, entry] of this.children) {
      if (!entry.settled) {
        entry.settled = true;
        this.children.delete(id);
        entry.reject(new Error('the process spawner exited before the process started'));
        continue;
      }
      const pid = entry.child.pid;
      const watch = setInterval(() => {
        if (pid !== undefined && isRunning(pid)) return;
        clearInterval(watch);
        this.end(id, null, null);
      }, 200);
    }
  }

  /** The helper keeps this process alive only while it has children to report on. */
  private reference(referenced: boolean): void {
    const helper = this.helper;
    if (!helper) return;
    const channel = helper.channel as { ref?: () => void; unref?: () => void } | undefined;
    if (referenced) {
      helper.ref();
      channel?.ref?.();
    } else {
      helper.unref();
      channel?.unref?.();
    }
  }
}

function spawnHere(options: SpawnOptions): ChildHandle {
  return spawn(options.command, [...options.args], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true, shell: false, windowsHide: true });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** The process-wide spawner. */
export const spawner = new Spawner();
