import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TempRepo {
  root: string;
  git(...args: string[]): string;
  write(path: string, content: string): void;
  remove(): void;
}

/** A real git repository in a temp folder, committed on `main`. Call `remove` when done. */
export function createTempRepo(files: Record<string, string>, options: { git?: boolean; commit?: boolean } = {}): TempRepo {
  const root = mkdtempSync(join(tmpdir(), 'ap-test-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  for (const [path, content] of Object.entries(files)) write(path, content);
  if (options.git !== false) {
    git('init', '-q', '-b', 'main');
    if (options.commit !== false && Object.keys(files).length > 0) {
      git('add', '-A');
      git('commit', '-q', '-m', 'initial');
    }
  }
  return { root, git, write, remove: () => rmSync(root, { recursive: true, force: true }) };
}
