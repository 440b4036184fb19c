import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Temporary folders made by one test file; `removeAll` in afterEach/afterAll deletes them. */
export class TempFolders {
  private readonly made: string[] = [];

  make(prefix = 'ap-analysis-'): string {
    const folder = mkdtempSync(path.join(tmpdir(), prefix));
    this.made.push(folder);
    return folder;
  }

  removeAll(): void {
    for (const folder of this.made.splice(0)) rmSync(folder, { recursive: true, force: true });
  }
}

export function writeFiles(root: string, files: Record<string, string | Buffer>): void {
  for (const [relativePath, content] of Object.entries(files)) {
    const absolutePath = path.join(root, relativePath);
    mkdirSync(path.dirname(absolutePath), { recursive: true });
    writeFileSync(absolutePath, content);
  }
}

const gitEnvironment = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

export function git(root: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'init.defaultBranch=main', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: gitEnvironment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A real repository: `git init`, the files, then one commit unless `commit` is false. */
export function makeGitRepo(folders: TempFolders, files: Record<string, string | Buffer>, commit = true): string {
  const root = folders.make();
  git(root, 'init', '-q');
  writeFiles(root, files);
  if (commit) {
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'initial');
  }
  return root;
}

export const runningAsRoot = process.getuid?.() === 0;
