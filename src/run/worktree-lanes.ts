import { rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { moveLane, MoveRefused, pointHead, readRegularFile } from './lane-move.js';
import type { Tree } from './git-objects.js';
import type { RepoGit, TreeChange, Worktree } from './repo-git.js';

/** One of the run's worktrees, lent to one objective at a time. */
export interface Lane extends Worktree {
  /**
   * Untracked and ignored paths the last user left, to remove before the next one; "unknown"
   * after a worker ran without its work being committed (then `git clean` finds them).
   */
  leftovers: string[] | 'unknown';
  /** What the lane holds, when that is known exactly: then the next move needs no git. */
  settled?: SettledLane;
  /** Moved ahead to a wave's result before its merge commit existed: only HEAD is left to move. */
  ahead?: WaveChanges;
}

/** A lane whose last objective's work is committed and whose worker staged nothing. */
export interface SettledLane {
  /** The commit its files hold: the objective's, or its base when it changed nothing. */
  commit: string;
  /** The commit its index holds: the objective's base. */
  base: string;
  /** The objective's changes from `base`, on disk already. */
  own: readonly TreeChange[];
  /** Paths that are in no commit (ignored, or not files), to remove. */
  extra: readonly string[];
}

/** A wave's committed work: `base` plus `changes` (every objective's, with their contents). */
export interface WaveChanges {
  base: string;
  /** The objective commits. */
  heads: ReadonlySet<string>;
  changes: readonly TreeChange[];
  contents: ReadonlyMap<string, Buffer>;
  /** The tree of the result, once known in memory: moved lanes' indexes get its cache tree. */
  tree?: Promise<Tree | undefined>;
}

/** A wave merged: its changes on its base are the commit `merged`. */
export interface WaveMerge extends WaveChanges {
  merged: string;
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
  private lastMerge: WaveMerge | undefined;
  private readonly removals: Promise<void>[] = [];

  constructor(
    private readonly git: RepoGit,
    private readonly root: string,
    private readonly log?: (message: string) => void,
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

  /** The last wave merged: lanes whose objectives it holds move to it without git. */
  noteMerge(merge: WaveMerge): void {
    this.lastMerge = merge;
  }

  /**
   * Moves the idle lanes of a wave's objectives to the wave's result while git writes the merge
   * commit: their files and index do not depend on it, only their HEAD does, which `take` then
   * points at the merge. Lanes this cannot move are left to git.
   */
  async moveAhead(wave: WaveChanges): Promise<void> {
    // A turn first: the caller records the merge and asks git to move the integration branch
    // (another process) before these writes hold this one.
    await new Promise((resolve) => setImmediate(resolve));
    const format = await this.git.checksOutAsIs(wave.base).catch(() => undefined);
    if (!format) return;
    // The merge's tree is there by now when this process wrote it; a merge left to git is not waited for.
    const tree = await Promise.race([wave.tree?.catch(() => undefined), new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)))]);
    for (const lane of this.idle) {
      const { settled } = lane;
      if (!settled || !holds(wave, settled)) continue;
      lane.settled = undefined;
      try {
        restoreLink(lane);
        this.moveFiles(lane, settled, wave.changes, wave.contents, format, tree);
        lane.ahead = wave;
        lane.leftovers = [];
      } catch (error) {
        this.refused(lane, error);
      }
    }
  }

  /** Puts the lane on `branch` at `commit` with nothing of its last user left (for `take`, and for a retry). */
  async reset(lane: Lane, branch: string, commit: string): Promise<void> {
    const { settled, ahead } = lane;
    lane.settled = undefined;
    lane.ahead = undefined;
    const merge = this.lastMerge;
    if (ahead && merge?.changes === ahead.changes && merge.merged === commit && (await this.pointAt(lane, branch, commit))) return;
    if (settled && (await this.moveInPlace(lane, settled, branch, commit))) return;
    const { leftovers } = lane;
    if (leftovers !== 'unknown') await Promise.all(leftovers.map((path) => rm(join(lane.path, path), { recursive: true, force: true })));
    else {
      // A worker's git that was killed can leave the index locked; nothing of its runs any more.
      await rm(join(lane.gitDir, 'index.lock'), { force: true });
    }
    restoreLink(lane);
    await this.git.switchWorktree(lane, branch, commit, leftovers === 'unknown');
    lane.leftovers = [];
  }

  /**
   * Moves a settled lane to the wave merge that holds its objective (or keeps it at its base)
   * by writing the other objectives' files and the index itself. False when that does not apply
   * or was refused; then git moves the lane.
   */
  private async moveInPlace(lane: Lane, settled: SettledLane, branch: string, commit: string): Promise<boolean> {
    let changes: readonly TreeChange[];
    let contents: ReadonlyMap<string, Buffer> = new Map();
    let tree: Tree | undefined;
    const merge = this.lastMerge;
    if (commit === settled.base && settled.commit === settled.base) changes = [];
    else if (merge && merge.merged === commit && holds(merge, settled)) {
      ({ changes, contents } = merge);
      tree = await merge.tree?.catch(() => undefined);
    } else return false;
    const format = await this.git.checksOutAsIs(settled.base);
    if (!format) return false;
    try {
      restoreLink(lane);
      this.moveFiles(lane, settled, changes, contents, format, tree);
    } catch (error) {
      this.refused(lane, error);
      return false;
    }
    lane.leftovers = [];
    return this.pointAt(lane, branch, commit);
  }

  /** Writes what the lane lacks of `changes` (its objective's own are there) and the index of the result. */
  private moveFiles(lane: Lane, settled: SettledLane, changes: readonly TreeChange[], contents: ReadonlyMap<string, Buffer>, format: string, tree: Tree | undefined): void {
    const own = new Set(settled.own.map((change) => change.path));
    moveLane(lane, { remove: settled.extra, write: changes.filter((change) => !own.has(change.path)), index: changes, contents, format, tree });
  }

  /** Puts HEAD of a lane whose files and index hold `commit` on `branch`, made there. */
  private async pointAt(lane: Lane, branch: string, commit: string): Promise<boolean> {
    try {
      await this.git.createBranch(branch, commit);
      pointHead(lane, branch);
      return true;
    } catch (error) {
      this.refused(lane, error);
      return false;
    }
  }

  private refused(lane: Lane, error: unknown): void {
    // Git repairs whatever was half done: `checkout -f` makes the index and the files the commit's.
    if (!(error instanceof MoveRefused)) this.log?.(`moving ${lane.path} without git failed, git moves it: ${(error as Error).message}`);
  }

  give(lane: Lane): void {
    this.idle.push(lane);
  }

  /**
   * Removes the folders of idle lanes but `keep` (the run is ending; git forgets them at the next
   * prune). Removal runs in the background, two `rm` at once, each on its own share: deleting
   * files keeps a core busy. `discarded` waits for every removal started.
   */
  discardIdle(keep = 0): void {
    // Settled lanes are the cheapest to move again: they are the ones kept.
    this.idle.sort((left, right) => Number(Boolean(left.settled ?? left.ahead)) - Number(Boolean(right.settled ?? right.ahead)));
    const lanes = this.idle.splice(0, Math.max(0, this.idle.length - keep));
    const shares = [lanes.filter((_lane, index) => index % 2 === 0), lanes.filter((_lane, index) => index % 2 === 1)];
    this.removals.push(...shares.map((share) => this.git.removeFolders(share.map((lane) => lane.path)).catch(() => undefined)));
  }

  async discarded(): Promise<void> {
    await Promise.all(this.removals);
  }
}

/** Whether a wave's result holds the lane's objective: the lane is at its base plus at most the wave's own changes. */
function holds(wave: WaveChanges, settled: SettledLane): boolean {
  return settled.base === wave.base && (settled.commit === settled.base || wave.heads.has(settled.commit));
}

/**
 * A worker may have removed or rewritten the folder's `.git` link: without it, git run in the
 * folder by the next worker would find the user's own repository above it. Synchronous: a wave
 * boundary checks every lane at once, and a round trip through the thread pool each, on a busy
 * machine, costs more than the read.
 */
function restoreLink(lane: Worktree): void {
  const link = `gitdir: ${lane.gitDir}\n`;
  const file = join(lane.path, '.git');
  let current: string | undefined;
  try {
    current = readRegularFile(file).toString('utf8');
  } catch {
    // Gone, or not a file now: written again below.
  }
  if (current === link) return;
  rmSync(file, { recursive: true, force: true });
  writeFileSync(file, link);
}
