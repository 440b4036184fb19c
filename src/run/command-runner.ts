import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface CommandResult {
  /** Exit code (128 + the signal's number for a command killed by one); null when the runner itself failed. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why it could not run, when it could not. */
  message?: string;
}

export interface CommandOptions {
  cwd: string;
  /** The environment; each environment object gets its own shell, which keeps it. */
  env?: NodeJS.ProcessEnv;
  /** Variables set on top of `env` for this command only. */
  extraEnv?: Record<string, string>;
  /** What to write to the command's stdin; bytes go as they are. */
  input?: string | Buffer;
}

interface Shell {
  child: ChildProcess;
  pending: Map<number, Pending>;
}

interface Pending {
  files: string;
  input: boolean;
  resolve: (result: CommandResult) => void;
}

const shellPath = '/bin/sh';
const variableName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Runs short commands (git, mostly) from a long-lived `/bin/sh`: the orchestrator writes one
 * line per command, the shell starts it in the background with its output going to files, and
 * prints its id and exit status when it ends. A run issues thousands of such commands, and a
 * fork of the orchestrator (or of any Node.js process) costs a few milliseconds of CPU each,
 * most of it after the fork, where a shell forks in a tenth of that. Falls back to spawning
 * directly without `/bin/sh`.
 */
export class CommandRunner {
  private readonly shells = new WeakMap<object, Shell>();
  private readonly live = new Set<Shell>();
  private folder: string | undefined;
  private nextId = 1;
  private closed = false;

  run(command: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
    const extra = Object.entries(options.extraEnv ?? {});
    const shell = this.closed || !existsSync(shellPath) || extra.some(([name]) => !variableName.test(name)) ? undefined : this.shellFor(options.env ?? process.env);
    if (!shell) return runDirectly(command, args, options);
    const id = this.nextId++;
    const files = join(this.folder!, String(id));
    const input = options.input !== undefined && options.input.length > 0;
    try {
      if (input) writeFileSync(`${files}.i`, options.input!);
    } catch (error) {
      return Promise.resolve({ code: null, stdout: '', stderr: '', message: `the command's input could not be written: ${(error as Error).message}` });
    }
    return new Promise((resolve) => {
      shell.pending.set(id, { files, input, resolve });
      if (shell.pending.size === 1) setReferenced(shell, true);
      const exports = extra.map(([name, value]) => `export ${name}=${shellQuote(value)} && `).join('');
      const words = [command, ...args].map(shellQuote).join(' ');
      // One fork for the background group; the shell starts the command itself with vfork. The
      // status goes to descriptor 3, which the command does not get; a redirection that fails
      // (the folder gone) is a status too, not a command that never reports.
      const redirections = `<${input ? shellQuote(`${files}.i`) : '/dev/null'} >${shellQuote(`${files}.o`)} 2>${shellQuote(`${files}.e`)} 3>&-`;
      shell.child.stdin!.write(`{ { cd ${shellQuote(options.cwd)} && ${exports}${words}; } ${redirections}; echo "${id} $?" >&3; } &\n`);
    });
  }

  private shellFor(env: NodeJS.ProcessEnv): Shell | undefined {
    try {
      return this.shell(env);
    } catch {
      // No shell to be had (no temporary folder, no process): the command is spawned directly.
      return undefined;
    }
  }

  private shell(env: NodeJS.ProcessEnv): Shell {
    const known = this.shells.get(env);
    if (known) return known;
    this.folder ??= outputFolder();
    // Descriptor 3 carries "<id> <status>" lines; the shell's own output and errors are dropped.
    const child = spawn(shellPath, [], { stdio: ['pipe', 'ignore', 'pipe', 'pipe'], env });
    const shell: Shell = { child, pending: new Map() };
    this.shells.set(env, shell);
    this.live.add(shell);
    child.stdin!.on('error', () => {});
    child.stderr!.resume();
    // An idle shell must not keep the orchestrator alive; a busy one must.
    setReferenced(shell, false);
    createInterface({ input: child.stdio[3] as Readable }).on('line', (line) => {
      const [id = '', status = ''] = line.split(' ');
      const pending = shell.pending.get(Number(id));
      if (!pending) return;
      shell.pending.delete(Number(id));
      if (shell.pending.size === 0) {
        setReferenced(shell, false);
        // The shell reaps its finished commands when it reads a line: an idle one is sent one.
        shell.child.stdin!.write('wait\n');
      }
      const stdout = take(`${pending.files}.o`);
      const stderr = take(`${pending.files}.e`);
      if (pending.input) rmSync(`${pending.files}.i`, { force: true });
      // An output that cannot be read is not an empty one.
      if (stdout === undefined || stderr === undefined) pending.resolve({ code: null, stdout: '', stderr: '', message: `the output of the command could not be read from ${this.folder}` });
      else pending.resolve({ code: Number(status), stdout, stderr });
    });
    const ended = (why: string) => {
      // A shell that died (or never started) fails its commands; the next call starts a fresh one.
      this.live.delete(shell);
      if (this.shells.get(env) === shell) this.shells.delete(env);
      for (const pending of shell.pending.values()) pending.resolve({ code: null, stdout: '', stderr: '', message: why });
      shell.pending.clear();
    };
    child.on('exit', () => ended('the command shell exited'));
    child.on('error', (error) => ended(`the command shell failed: ${error.message}`));
    return shell;
  }

  /** Ends the shells (commands running finish on their own); later commands are spawned directly. */
  close(): void {
    this.closed = true;
    for (const shell of this.live) shell.child.stdin!.end();
  }
}

const folderPrefix = 'ap-commands-';

/**
 * The folder for commands' output: in memory (`/dev/shm`) when it has room to spare, else the
 * temporary folder. Named after this process, so that folders left by processes that were
 * killed are removed by the next one, and removed when this process exits.
 */
function outputFolder(): string {
  let parent = tmpdir();
  try {
    const { bavail, bsize } = statfsSync('/dev/shm');
    if (bavail * bsize >= 1024 * 1024 * 1024) parent = '/dev/shm';
  } catch {
    // No memory file system here.
  }
  for (const name of readdirSync(parent).filter((entry) => entry.startsWith(folderPrefix))) {
    const owner = Number(/^ap-commands-(\d+)-/.exec(name)?.[1]);
    if (owner && owner !== process.pid && !isAlive(owner)) rmSync(join(parent, name), { recursive: true, force: true });
  }
  const folder = mkdtempSync(join(parent, `${folderPrefix}${process.pid}-`));
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A command's output file, read and removed; undefined when it cannot be read. */
function take(file: string): string | undefined {
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    unlinkSync(file);
  } catch {
    // Gone already.
  }
  return text;
}

/** A word for the shell, quoted so that nothing in it is interpreted. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, "'\\''")}'`;
}

function setReferenced(shell: Shell, referenced: boolean): void {
  for (const handle of [shell.child, ...shell.child.stdio] as unknown as { ref?: () => void; unref?: () => void }[]) {
    if (referenced) handle?.ref?.();
    else handle?.unref?.();
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

/** The process-wide runner; its shells end when this process does (their stdin closes). */
export const commandRunner = new CommandRunner();
