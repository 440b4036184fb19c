import { ApError } from '../core/errors/ap-error.js';
import { gitEnvironment } from '../core/analysis/git-command.js';
import { commandRunner } from './command-runner.js';

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
];

const environment = gitEnvironment();

export async function git(cwd: string, args: readonly string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<string> {
  const result = await commandRunner.run('git', [...fixedConfig, ...args], { cwd, env: options.env ? { ...environment, ...options.env } : environment, input: options.input });
  if (result.code !== 0) throw new GitError(args, result.stderr || result.message || '', result.code);
  return result.stdout;
}
