import { execFile } from 'node:child_process';

export type GitResult = { ok: true; stdout: string } | { ok: false; stderr: string; missingGit: boolean };

/** Variables that would point git at another repository than the folder we run it in. */
const redirectingVariables = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY', 'GIT_PREFIX', 'GIT_CEILING_DIRECTORIES'];

/** The environment every git command of the project runs with: ours, minus what could redirect it. */
export function gitEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
  for (const name of redirectingVariables) delete environment[name];
  return environment;
}

/**
 * Runs a read-only git command in `cwd`. Never throws: analysis treats a failing git as
 * "not a repository" or "no such ref". The buffer is large because `ls-files` of a big
 * monorepo easily passes the default 1 MB.
 */
export function runGit(cwd: string, args: readonly string[]): Promise<GitResult> {
  return new Promise((resolve) => {
    // core.fsmonitor could run a program named by the analyzed repo's own config.
    const fullArgs = ['-c', 'core.fsmonitor=false', ...args];
    execFile(
      'git',
      fullArgs,
      { cwd, shell: false, maxBuffer: 1024 * 1024 * 1024, encoding: 'utf8', env: gitEnvironment(), windowsHide: true },
      (error, stdout, stderr) => {
        if (!error) return resolve({ ok: true, stdout });
        const missingGit = (error as NodeJS.ErrnoException).code === 'ENOENT';
        resolve({ ok: false, stderr: String(stderr || error.message), missingGit });
      },
    );
  });
}
