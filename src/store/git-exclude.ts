import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';

/**
 * Adds the state folder to `.git/info/exclude` so it never shows up as a change.
 * A no-op outside git, for folders outside the repo, and when the line is already there.
 */
export function excludeFromGit(repo: string, folder: string): void {
  const relativeFolder = relative(repo, folder);
  if (relativeFolder === '' || relativeFolder.startsWith('..') || isAbsolute(relativeFolder)) return;
  let excludeFile: string;
  try {
    excludeFile = execFileSync('git', ['rev-parse', '--git-path', 'info/exclude'], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return;
  }
  if (!isAbsolute(excludeFile)) excludeFile = join(repo, excludeFile);
  const line = `/${relativeFolder.split('\\').join('/')}/`;
  const existing = existsSync(excludeFile) ? readFileSync(excludeFile, 'utf8') : '';
  if (existing.split(/\r?\n/).includes(line)) return;
  mkdirSync(dirname(excludeFile), { recursive: true });
  appendFileSync(excludeFile, `${existing && !existing.endsWith('\n') ? '\n' : ''}# ap-orchestrator state\n${line}\n`);
}
