import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { ManagedProcess } from '../../process/managed-process.js';
import type { CommandCheckInput } from './agent-cli-spec.js';

/** What `codex exec` runs the agent's commands under, from the worker's arguments. */
export type CodexSandboxMode = 'read-only' | 'workspace-write' | 'danger-full-access';

/** How long the probe may take: it starts one sandbox and one shell. */
const probeTimeoutMs = 30_000;
const marker = 'ap-codex-sandbox-ok';

/**
 * The sandbox `codex exec` will use with these arguments: the preset's `workspace-write` unless
 * the worker's `args` choose another (`--sandbox X`, `-s X`, `--full-auto`, or no sandbox at all).
 */
export function codexSandboxMode(extraArgs: readonly string[]): CodexSandboxMode {
  let mode: CodexSandboxMode = 'workspace-write';
  extraArgs.forEach((arg, index) => {
    if (arg === '--dangerously-bypass-approvals-and-sandbox') mode = 'danger-full-access';
    else if (arg === '--full-auto') mode = 'workspace-write';
    else {
      const value = arg === '--sandbox' || arg === '-s' ? extraArgs[index + 1] : /^--sandbox=(.*)$/.exec(arg)?.[1];
      if (value === 'read-only' || value === 'workspace-write' || value === 'danger-full-access') mode = value;
    }
  });
  return mode;
}

/** The worker's configuration arguments that `codex sandbox` understands too (`-c`, profiles, features). */
function configArguments(extraArgs: readonly string[]): string[] {
  const kept: string[] = [];
  extraArgs.forEach((arg, index) => {
    const value = extraArgs[index + 1];
    if (['-c', '--config', '-p', '--profile', '--enable', '--disable'].includes(arg) && value !== undefined) kept.push(arg, value);
    else if (/^--(config|profile|enable|disable)=/.test(arg)) kept.push(arg);
  });
  return kept;
}

/**
 * Whether Codex can really run a command in a working folder under the sandbox its worker will
 * use, tried with `codex sandbox` (no model involved). Codex does not fail a turn whose commands
 * all failed to start: its model just sees the error. With bubblewrap installed, Codex runs
 * commands through bwrap and a helper it links under CODEX_HOME, and it refuses to make that
 * helper when CODEX_HOME is inside the temporary folder: every command then fails to start, and
 * the turn still "completes". Resolves to null when commands run (or Codex cannot start at all:
 * the attempt itself says it is not installed), else to what is wrong and how to fix it.
 */
export async function probeCodexSandbox(input: CommandCheckInput): Promise<string | null> {
  const mode = codexSandboxMode(input.extraArgs);
  if (mode === 'danger-full-access') return null;
  const folder = mkdtempSync(join(tmpdir(), 'ap-codex-probe-'));
  try {
    const write = mode === 'workspace-write' ? ` && echo ${marker} > probe.txt` : '';
    const args = ['sandbox', '-c', `sandbox_mode="${mode}"`, ...configArguments(input.extraArgs), '--', '/bin/sh', '-c', `echo ${marker}${write}`];
    const { output, exit } = await run(input.command, args, folder, input.env);
    if (exit === 'not started') return null;
    const wrote = mode !== 'workspace-write' || readProbe(join(folder, 'probe.txt')) === marker;
    if (exit === 0 && output.includes(marker) && wrote) return null;
    return explain(input, mode, output, exit);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function readProbe(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

async function run(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<{ output: string; exit: number | null | 'timeout' | 'not started' }> {
  let output = '';
  let process: ManagedProcess;
  try {
    process = await ManagedProcess.start({ command, args, cwd, env, onStderr: (text) => (output += text) });
  } catch (error) {
    return { output: (error as Error).message, exit: 'not started' };
  }
  let startError: Error | undefined;
  process.child.once('error', (error) => (startError = error));
  process.child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  process.child.stdin.end();
  const timer = setTimeout(() => void process.stop({ graceMs: 0, termMs: 1_000 }), probeTimeoutMs);
  const exit = await process.exited;
  clearTimeout(timer);
  // Whatever the sandbox left in the group goes too.
  await process.stop({ graceMs: 0, termMs: 1_000 });
  if (startError) return { output: startError.message, exit: 'not started' };
  return { output: output.slice(-4_000), exit: exit.signal ? 'timeout' : exit.code };
}

function explain(input: CommandCheckInput, mode: CodexSandboxMode, output: string, exit: number | null | 'timeout'): string {
  const who = input.workerId ? `Codex (worker "${input.workerId}")` : 'Codex';
  const said = lastLines(output);
  const home = input.env.CODEX_HOME ?? (input.env.HOME ? join(input.env.HOME, '.codex') : undefined);
  const temporary = input.env.TMPDIR || '/tmp';
  const homeInTemporary = home !== undefined && isInside(home, temporary);
  const head = `${who} cannot run commands in its ${mode} sandbox on this machine: \`codex sandbox\` ${exit === 'timeout' ? 'did not finish within 30 s' : `exited with ${exit}`}${said ? ` and said "${said}"` : ''}. The agent's every command would fail while its turn still "completes".`;
  if (/codex-linux-sandbox|could not create PATH aliases/i.test(output) && homeInTemporary) {
    return `${head} Codex runs commands through bubblewrap (bwrap) and a helper it links under CODEX_HOME, and refuses to make that helper inside the temporary folder: CODEX_HOME is ${home}, inside TMPDIR ${temporary}. Give the worker a CODEX_HOME (or HOME) outside ${temporary}, or a TMPDIR that does not contain it, in its "env" in team.json.`;
  }
  if (/bwrap|bubblewrap|namespace/i.test(output)) {
    return `${head} Codex's sandbox uses bubblewrap here, and bubblewrap cannot set up its namespaces (unprivileged user namespaces may be disabled). Allow them (sysctl kernel.unprivileged_userns_clone=1 or the AppArmor rule for bwrap), or, where the worker is confined otherwise, set its "args" to ["--sandbox", "danger-full-access"].`;
  }
  return `${head} Try \`codex sandbox -c 'sandbox_mode="${mode}"' -- true\` on this machine to see why.`;
}

function isInside(path: string, folder: string): boolean {
  const inside = relative(folder, path);
  return inside === '' || (!inside.startsWith('..') && !isAbsolute(inside));
}

function lastLines(text: string): string {
  return text
    .trim()
    .split(/\r?\n/)
    .filter((line) => line.trim() && !line.includes(marker))
    .slice(-3)
    .join(' | ')
    .slice(-600);
}
