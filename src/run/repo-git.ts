import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { git, GitError, gitSteps } from './git-command.js';

/**
 * A worktree of the run's. Git is pointed at its git folder explicitly: a worker that deletes or
 * rewrites the `.git` file in it must not make our commands land in the user's own checkout.
 */
export interface Worktree {
  path: string;
  gitDir: string;
}

function worktreeEnvironment(worktree: Worktree): Record<string, string> {
  return { GIT_DIR: worktree.gitDir, GIT_WORK_TREE: worktree.path };
}

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
   * Makes a worktree at `path`, detached at `commit` and not yet checked out (`switchWorktree`
   * does that); a folder left by an interrupted run is unregistered and removed first. Registering
   * is serialized: `git worktree add` reads the other registrations and fails on one half made.
   */
  async createWorktree(path: string, commit: string): Promise<Worktree> {
    if (existsSync(path)) await git(this.root, ['worktree', 'remove', '--force', '--force', path]).catch(() => undefined);
    await rm(path, { recursive: true, force: true });
    const registered = this.registration.then(() => git(this.root, ['worktree', 'add', '-q', '--no-checkout', '--detach', '-f', path, commit]));
    this.registration = registered.then(
      () => undefined,
      () => undefined,
    );
    await registered;
    const link = /^gitdir: (.+)$/m.exec(await readFile(join(path, '.git'), 'utf8'))?.[1];
    if (!link) throw new GitError(['worktree', 'add', path], `${path}/.git does not name the worktree's git folder`, null);
    return { path, gitDir: resolve(path, link.trim()) };
  }

  private registration: Promise<unknown> = Promise.resolve();

  /** Forgets worktrees whose folders are gone. Not safe while worktrees are being added. */
  async pruneWorktrees(): Promise<void> {
    await git(this.root, ['worktree', 'prune']);
  }

  /**
   * Puts a worktree on `branch`, (re)made at `commit`, with exactly that commit's files: only the
   * files that differ are written. `clean` also removes untracked and ignored files, which a
   * worker that did not finish may have left.
   */
  async switchWorktree(worktree: Worktree, branch: string, commit: string, clean: boolean): Promise<void> {
    const steps = [['checkout', '-q', '-f', '--ignore-other-worktrees', '-B', branch, commit]];
    if (clean) steps.push(['clean', '-q', '-ffdx']);
    await gitSteps(worktree.path, steps, { env: worktreeEnvironment(worktree) });
  }

  /**
   * Commits everything in the worktree (new, changed, deleted files), leaves it clean for the next
   * objective, and returns the new head with its changes from `base`: one request, since a wave
   * finishes many objectives at once.
   */
  async commitAll(worktree: Worktree, base: string, message: string): Promise<{ head: string; changes: TreeChange[] }> {
    const output = await gitSteps(
      worktree.path,
      [
        ['add', '-A'],
        ['commit', '-q', '--no-verify', '--allow-empty', '-m', message],
        ['log', '-1', '--no-renames', '--no-abbrev', '--raw', '-z', '--format=%H %P%x00', 'HEAD'],
        ['clean', '-q', '-ffdx'],
      ],
      { env: worktreeEnvironment(worktree) },
    );
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
