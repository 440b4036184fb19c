import { ApError } from '../core/errors/ap-error.js';
import { gitEnvironment } from '../core/analysis/git-command.js';
import { commandRunner, shellQuote } from './command-runner.js';

/** A git command failed; carries the command and what git said. */
export class GitError extends ApError {
  override readonly name = 'GitError';
  readonly args: readonly string[];
  readonly stderr: string;
  readonly exitCode: number | null;

  constructor(args: readonly string[], stderr: string, exitCode: number | null) {
    super('git_failed', `git ${args.join(' ')} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${stderr.trim().split('\n').slice(-3).join(' ') || 'no message'}`);
    this.args = args;
    this.stderr = stderr;
    this.exitCode = exitCode;
  }
}

/**
 * Commits made by the orchestrator carry its own identity and skip the user's hooks and signing:
 * they are bookkeeping on ap/ branches, not the user's commits.
 */
const fixedConfig = [
  '-c', 'user.name=ap-orchestrator',
  '-c', 'user.email=ap-orchestrator@localhost',
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'commit.gpgsign=false',
  '-c', 'core.fsmonitor=false',
  '-c', 'advice.detachedHead=false',
  // A run makes many small commits; git's automatic maintenance after each would cost a process
  // every time and could start a gc in the user's repository mid-run. The user's own git does it later.
  '-c', 'maintenance.auto=false',
  '-c', 'gc.auto=0',
];

const environment = gitEnvironment();

export interface GitOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
}

export async function git(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<string> {
  const result = await commandRunner.run('git', [...fixedConfig, ...args], { cwd, env: environment, extraEnv: options.env, input: options.input });
  if (result.code !== 0) throw new GitError(args, result.stderr || result.message || '', result.code);
  return result.stdout;
}

/**
 * Runs git commands one after another, stopping at the first that fails, in one request to the
 * command runner: a wave ends many objectives at once, and each round trip waits its turn.
 * Returns what they printed, together.
 */
export async function gitSteps(cwd: string, steps: readonly (readonly string[])[], options: Omit<GitOptions, 'input'> = {}): Promise<string> {
  if (steps.length === 1) return git(cwd, steps[0]!, options);
  const script = steps.map((args) => ['git', ...fixedConfig, ...args].map(shellQuote).join(' ')).join(' && ');
  const result = await commandRunner.run('/bin/sh', ['-c', script], { cwd, env: environment, extraEnv: options.env });
  if (result.code !== 0) throw new GitError([steps.map((args) => args.join(' ')).join(' && git ')], result.stderr || result.message || '', result.code);
  return result.stdout;
}
