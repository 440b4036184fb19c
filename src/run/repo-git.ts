import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git, GitError } from './git-command.js';

/** One changed path between two commits, as `git diff-tree -r` reports it. */
export interface TreeChange {
  path: string;
  status: 'A' | 'M' | 'D' | 'T';
  mode: string;
  sha: string;
}

const emptyTree = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** The git operations the run engine needs, on one repository. */
export class RepoGit {
  constructor(readonly root: string) {}

  static async isRepository(folder: string): Promise<boolean> {
    try {
      const inside = await git(folder, ['rev-parse', '--is-inside-work-tree']);
      return inside.trim() === 'true';
    } catch {
      return false;
    }
  }

  async headCommit(): Promise<string | null> {
    try {
      return (await git(this.root, ['rev-parse', '--verify', '-q', 'HEAD^{commit}'])).trim() || null;
    } catch {
      return null;
    }
  }

  async currentBranch(): Promise<string | null> {
    try {
      return (await git(this.root, ['symbolic-ref', '--short', '-q', 'HEAD'])).trim() || null;
    } catch {
      return null;
    }
  }

  /** A commit with an empty tree: the base for a repository that has no commits yet. */
  async emptyCommit(): Promise<string> {
    return (await git(this.root, ['commit-tree', emptyTree, '-m', 'ap: empty base'])).trim();
  }

  async setRef(branch: string, commit: string): Promise<void> {
    await git(this.root, ['update-ref', `refs/heads/${branch}`, commit]);
  }

  async refCommit(branch: string): Promise<string | null> {
    try {
      return (await git(this.root, ['rev-parse', '--verify', '-q', `refs/heads/${branch}`])).trim() || null;
    } catch {
      return null;
    }
  }

  /**
   * Creates (or, on resume, recreates) a worktree on `branch` at `commit`; `-f` takes over a
   * registration whose folder is gone. Registering is serialized (`git worktree add` reads the
   * other registrations and fails on one that is half made); the checkout runs in parallel.
   */
  async addWorktree(path: string, branch: string, commit: string): Promise<void> {
    // A worktree left by an interrupted run still holds its branch: unregister it properly.
    if (existsSync(path)) await git(this.root, ['worktree', 'remove', '--force', '--force', path]).catch(() => undefined);
    await rm(path, { recursive: true, force: true });
    const registered = this.registration.then(() => git(this.root, ['worktree', 'add', '-q', '--no-checkout', '-f', '-B', branch, path, commit]));
    this.registration = registered.then(
      () => undefined,
      () => undefined,
    );
    await registered;
    await git(path, ['reset', '-q', '--hard', commit]);
  }

  private registration: Promise<unknown> = Promise.resolve();

  /** Forgets worktrees whose folders are gone. Not safe while worktrees are being added. */
  async pruneWorktrees(): Promise<void> {
    await git(this.root, ['worktree', 'prune']);
  }

  /** Moves a prepared worktree (and its branch) to a new base and removes anything else in it. */
  async resetWorktree(path: string, commit: string): Promise<void> {
    await git(path, ['reset', '-q', '--hard', commit]);
    await git(path, ['clean', '-q', '-fdx']);
  }

  /**
   * Commits everything in the worktree (new, changed, deleted files) and returns the new head with
   * its changes from `base`: three git processes, since a wave finishes many objectives at once.
   */
  async commitAll(path: string, base: string, message: string): Promise<{ head: string; changes: TreeChange[] }> {
    await git(path, ['add', '-A']);
    await git(path, ['commit', '-q', '--no-verify', '--allow-empty', '-m', message]);
    const output = await git(path, ['log', '-1', '--no-renames', '--no-abbrev', '--raw', '-z', '--format=%H %P%x00', 'HEAD']);
    const [header = '', ...rest] = output.split('\0');
    const [head = '', ...parents] = header.trim().split(' ');
    // One commit on top of the base (the usual case): its raw diff is the answer. A worker that
    // committed on its own leaves more history; then diff against the base.
    if (parents.length === 1 && parents[0] === base) return { head, changes: parseRaw(rest.join('\0').replace(/^[\0\n]+/, '')) };
    return { head, changes: await this.changes(base, head) };
  }

  /** Files changed from `base` to `head`, renames split into delete and add. */
  async changes(base: string, head: string): Promise<TreeChange[]> {
    if (base === head) return [];
    return parseRaw(await git(this.root, ['diff-tree', '-r', '-z', '--no-renames', '--no-commit-id', base, head]));
  }

  /**
   * Merges a wave in one commit: the base tree plus every objective's changes, with the base and
   * each objective branch as parents. Disjoint scopes mean no path is changed twice; if one is,
   * that is reported instead of guessing.
   */
  async mergeWave(base: string, branches: { branch: string; head: string; changes: TreeChange[] }[], message: string): Promise<string> {
    const owner = new Map<string, string>();
    for (const branch of branches) {
      for (const change of branch.changes) {
        const other = owner.get(change.path);
        if (other) throw new GitError(['merge'], `both ${other} and ${branch.branch} changed ${change.path}`, null);
        owner.set(change.path, branch.branch);
      }
    }
    const folder = await mkdtemp(join(tmpdir(), 'ap-index-'));
    const env = { GIT_INDEX_FILE: join(folder, 'index') };
    try {
      await git(this.root, ['read-tree', base], { env });
      const lines = branches.flatMap((branch) =>
        branch.changes.map((change) => (change.status === 'D' ? `0 ${'0'.repeat(40)}\t${change.path}` : `${change.mode} ${change.sha}\t${change.path}`)),
      );
      if (lines.length > 0) await git(this.root, ['update-index', '-z', '--index-info'], { env, input: lines.map((line) => `${line}\0`).join('') });
      const tree = (await git(this.root, ['write-tree'], { env })).trim();
      // Objectives that changed nothing add no parent: the history shows only work that landed.
      const parents = [base, ...branches.filter((branch) => branch.changes.length > 0).map((branch) => branch.head)].flatMap((parent) => ['-p', parent]);
      return (await git(this.root, ['commit-tree', tree, ...parents, '-m', message])).trim();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }

  /** Removes a folder of worktrees in one go and lets git forget them. */
  async removeWorktrees(folder: string): Promise<void> {
    await rm(folder, { recursive: true, force: true });
    await git(this.root, ['worktree', 'prune']);
  }
}

/** Parses `--raw -z` output: ":100644 100644 <old> <new> M\0path\0" per change. */
function parseRaw(output: string): TreeChange[] {
  const fields = output.split('\0');
  const changes: TreeChange[] = [];
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const meta = fields[index]!.trim().replace(/^:/, '').split(' ');
    const path = fields[index + 1]!;
    if (meta.length < 5 || !path) continue;
    changes.push({ path, status: meta[4]![0] as TreeChange['status'], mode: meta[1]!, sha: meta[3]! });
  }
  return changes;
}
