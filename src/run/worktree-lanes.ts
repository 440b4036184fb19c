import { join } from 'node:path';
import type { RepoGit, Worktree } from './repo-git.js';

/** One of the run's worktrees, lent to one objective at a time. */
export interface Lane extends Worktree {
  /** A worker ran here since the last clean commit: untracked or ignored files may be left. */
  dirty: boolean;
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

  constructor(
    private readonly git: RepoGit,
    private readonly root: string,
  ) {}

  /** A worktree on `branch` at `commit`, clean: an idle one moved there, or a new one. */
  async take(branch: string, commit: string): Promise<Lane> {
    const lane = this.idle.pop() ?? { ...(await this.git.createWorktree(join(this.root, `lane-${++this.made}`), commit)), dirty: false };
    // When git cannot move it, the lane is dropped: it is not lent again.
    await this.reset(lane, branch, commit);
    return lane;
  }

  /** Starts the lane's branch again at `commit`, for a retry. */
  async reset(lane: Lane, branch: string, commit: string): Promise<void> {
    await this.git.switchWorktree(lane, branch, commit, lane.dirty);
    lane.dirty = false;
  }

  give(lane: Lane): void {
    this.idle.push(lane);
  }
}
