import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RepoGit, Worktree } from './repo-git.js';

/** One of the run's worktrees, lent to one objective at a time. */
export interface Lane extends Worktree {
  /**
   * Untracked and ignored paths the last user left, to remove before the next one; "unknown"
   * after a worker ran without its work being committed (then `git clean` finds them).
   */
  leftovers: string[] | 'unknown';
}

/**
 * The run's worktrees. An objective borrows one for all its attempts and gives it back when it
 * is done; the next objective takes the folder over on its own branch at its own base. Moving a
 * worktree writes only the files that differ, where making one checks out the whole tree, so a
 * run makes as many worktrees as it runs objectives at once, not one per objective.
 */
export class WorktreeLanes {
  private readonly idle: Lane[] = [];
  private made = 0;
  private preparing: Promise<void> = Promise.resolve();

  constructor(
    private readonly git: RepoGit,
    private readonly root: string,
  ) {}

  /**
   * Makes `count` worktrees ahead of time (a run's first wave), in one registration: objectives
   * then start as soon as their workers are up instead of waiting for worktrees one by one.
   * Never fails: without them, lanes are made one at a time, as objectives need them.
   */
  prepare(count: number, commit: string): Promise<void> {
    const paths = Array.from({ length: Math.max(0, count - this.made) }, () => join(this.root, `lane-${++this.made}`));
    if (paths.length === 0) return this.preparing;
    this.preparing = this.git.createWorktrees(paths, commit).then(
      (worktrees) => void this.idle.push(...worktrees.map((worktree) => ({ ...worktree, leftovers: [] }))),
      () => undefined,
    );
    return this.preparing;
  }

  /** A worktree on `branch` at `commit`, clean: an idle one moved there, or a new one. */
  async take(branch: string, commit: string): Promise<Lane> {
    if (this.idle.length === 0) await this.preparing;
    const lane = this.idle.pop() ?? { ...(await this.git.createWorktrees([join(this.root, `lane-${++this.made}`)], commit))[0]!, leftovers: [] };
    // When git cannot move it, the lane is dropped: it is not lent again.
    await this.reset(lane, branch, commit);
    return lane;
  }

  /** Puts the lane on `branch` at `commit` with nothing of its last user left (for `take`, and for a retry). */
  async reset(lane: Lane, branch: string, commit: string): Promise<void> {
    const { leftovers } = lane;
    if (leftovers !== 'unknown') await Promise.all(leftovers.map((path) => rm(join(lane.path, path), { recursive: true, force: true })));
    else {
      // A worker's git that was killed can leave the index locked; nothing of its runs any more.
      await rm(join(lane.gitDir, 'index.lock'), { force: true });
    }
    // A worker may have removed or rewritten the folder's `.git` link: without it, git run in the
    // folder by the next worker would find the user's own repository above it.
    await rm(join(lane.path, '.git'), { recursive: true, force: true });
    await writeFile(join(lane.path, '.git'), `gitdir: ${lane.gitDir}\n`);
    await this.git.switchWorktree(lane, branch, commit, leftovers === 'unknown');
    lane.leftovers = [];
  }

  give(lane: Lane): void {
    this.idle.push(lane);
  }
}
