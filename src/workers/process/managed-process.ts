import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export interface ManagedProcessOptions {
  command: string;
  args: readonly string[];
  cwd: string;
  /** The complete environment of the child: nothing else is inherited. */
  env: Record<string, string>;
  /** Called for each chunk the child writes to stderr. */
  onStderr?: (text: string) => void;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A child process in its own process group, so that stopping it also stops whatever it
 * started (an agent's shell commands, a test runner). `stop` escalates: end stdin, wait,
 * SIGTERM the group, wait, SIGKILL the group. It is idempotent and always settles.
 */
export class ManagedProcess {
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;
  private stopping: Promise<ExitInfo> | undefined;

  /**
   * Starts the process. Rejects when the system refuses the command line (E2BIG); a command that
   * is not there is an 'error' of `child`, as with `spawn`.
   */
  static async start(options: ManagedProcessOptions): Promise<ManagedProcess> {
    const child = spawn(options.command, [...options.args], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true, shell: false, windowsHide: true });
    return new ManagedProcess(child, options);
  }

  private constructor(
    readonly child: ChildProcessByStdio<Writable, Readable, Readable>,
    options: ManagedProcessOptions,
  ) {
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
      // A command that cannot start (ENOENT) emits 'error' and never 'exit'.
      this.child.once('error', () => {
        if (this.exitInfo) return;
        this.exitInfo = { code: null, signal: null };
        resolve(this.exitInfo);
      });
    });
    // Pipes can fail (EPIPE on a child that died); the exit promise tells the story.
    this.child.stdin.on('error', () => {});
    this.child.stdout.on('error', () => {});
    this.child.stderr.on('error', () => {});
    this.child.stderr.on('data', (chunk: Buffer) => options.onStderr?.(chunk.toString('utf8')));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  stop(options: { graceMs?: number; termMs?: number } = {}): Promise<ExitInfo> {
    const graceMs = options.graceMs ?? 2_000;
    const termMs = options.termMs ?? 3_000;
    // A hastier stop (the server going away) overtakes one already under way.
    if (!this.stopping || graceMs + termMs < this.stopBudgetMs) {
      this.stopBudgetMs = graceMs + termMs;
      this.stopping = this.escalate(graceMs, termMs);
    }
    return this.stopping;
  }

  private stopBudgetMs = Number.POSITIVE_INFINITY;

  private async escalate(graceMs: number, termMs: number): Promise<ExitInfo> {
    if (!this.exitInfo) {
      this.child.stdin.end();
      if (!(await this.waitForExit(graceMs))) {
        this.signalGroup('SIGTERM');
        if (!(await this.waitForExit(termMs))) {
          this.signalGroup('SIGKILL');
          await this.exited;
        }
      }
    }
    // The leader is gone; anything it left in its group goes too.
    this.signalGroup('SIGKILL');
    return this.exited;
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    killProcessGroup(pid, signal);
  }

  private async waitForExit(ms: number): Promise<boolean> {
    if (this.exitInfo) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
      timer.unref();
    });
    const result = await Promise.race([this.exited.then(() => true as const), timeout]);
    clearTimeout(timer);
    return result;
  }
}

/** Signals a whole process group; true when it existed. */
export function killProcessGroup(pid: number, signal: NodeJS.Signals): boolean {
  // Our children lead their own groups; when the group is gone, so is every process in it.
  // Never fall back to the bare pid: after the leader is reaped, that number may be someone else's.
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}
