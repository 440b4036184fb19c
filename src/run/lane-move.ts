import { closeSync, constants, existsSync, fstatSync, ftruncateSync, lstatSync, mkdirSync, openSync, readFileSync, rmdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync, writeSync, type BigIntStats } from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheTreeExtension, readIndex, statBytes, writeIndex, type IndexEntry } from './git-index.js';
import type { Tree } from './git-objects.js';
import type { TreeChange, Worktree } from './repo-git.js';

/** A move of a worktree's files and index from one commit to the next, when only known paths differ. */
export interface LaneMove {
  /** Paths to remove first: what the last worker left that is not part of any commit. */
  remove: readonly string[];
  /** Changes to make on disk, with the contents of every path written. */
  write: readonly TreeChange[];
  /** Changes from the commit the index holds to the target: `write` and the paths already on disk. */
  index: readonly TreeChange[];
  contents: ReadonlyMap<string, Buffer>;
  format: string;
  /** The target's tree, when known: the index gets its cache tree. */
  tree?: Tree;
}

/** Each lane's index as this process last wrote it, with its entries by path. */
const lastWritten = new WeakMap<Worktree, { bytes: Buffer; byPath: Map<string, IndexEntry> }>();

/** Why a move was left to git; the worktree may be half moved, which `git checkout -f` repairs. */
export class MoveRefused extends Error {}

/**
 * Moves a worktree in this process: writes the files that differ and writes the index git would
 * write, with the stat data of the files as they now are, so `git status` afterwards finds the
 * tree clean without hashing it. A wave boundary moves every worktree at once, and starting
 * twenty git processes for that costs more than all they write.
 *
 * The file system calls are synchronous on purpose: a move writes small files, each a few tens
 * of microseconds of the kernel's time, and a round trip through libuv's thread pool per call
 * costs more than the call.
 *
 * It writes nothing outside the worktree: a path under a symbolic link or in the way of a folder
 * refuses the move, and files are created anew, never written through an existing link. A lane
 * whose index git has locked is left alone. Anything unexpected throws `MoveRefused`; then
 * `git checkout -f` does the move.
 */
export function moveLane(lane: Worktree, move: LaneMove): void {
  // Another git at work in the lane: its job, not ours.
  if (existsSync(join(lane.gitDir, 'index.lock'))) throw new MoveRefused('the index is locked');
  const indexPath = join(lane.gitDir, 'index');
  let held: number;
  try {
    held = openRegularFile(indexPath, constants.O_RDWR);
  } catch (error) {
    throw new MoveRefused(`the index cannot be opened: ${(error as Error).message}`);
  }
  try {
    const current = readFileSync(held);
    // The index this process wrote at the last move, untouched since: its entries are known.
    const known = lastWritten.get(lane);
    let byPath = known?.bytes.equals(current) ? known.byPath : undefined;
    if (!byPath) {
      const entries = readIndex(current, move.format === 'sha256' ? 32 : 20);
      if (!entries) throw new MoveRefused('the index holds entries or extensions only git handles');
      byPath = new Map(entries.map((entry) => [entry.path.toString('latin1'), entry]));
    }
    lastWritten.delete(lane);
    for (const path of move.remove) rmSync(join(lane.path, path), { recursive: true, force: true });
    // Deletions first: a path deleted can be a file in the way of a new folder.
    const checked = new Set<string>();
    for (const change of move.write) if (change.status === 'D') deletePath(lane.path, change.path, checked);
    checked.clear();
    const written = new Map<string, BigIntStats>();
    for (const change of move.write) if (change.status !== 'D') written.set(change.path, writePath(lane.path, change, move.contents, checked));
    for (const change of move.index) {
      const path = Buffer.from(change.path);
      if (change.status === 'D') byPath.delete(path.toString('latin1'));
      else {
        const stat = written.get(change.path) ?? lstatSync(join(lane.path, change.path), { bigint: true });
        byPath.set(path.toString('latin1'), { path, stat: statBytes(stat, change.mode), sha: Buffer.from(change.sha, 'hex') } satisfies IndexEntry);
      }
    }
    // Written over in place, as one write: replacing the file would free its blocks every move,
    // which costs more than the write on a file system that discards them.
    // Keys are the paths' bytes as latin1: sorted as strings, they are in git's byte order.
    const sorted = [...byPath.keys()].sort().map((key) => byPath.get(key)!);
    const bytes = writeIndex(sorted, move.format, move.tree && cacheTreeExtension(byPath, move.tree), true);
    for (let done = 0; done < bytes.length; ) done += writeSync(held, bytes, done, bytes.length - done, done);
    ftruncateSync(held, bytes.length);
    lastWritten.set(lane, { bytes, byPath });
  } catch (error) {
    throw error instanceof MoveRefused ? error : new MoveRefused((error as Error).message);
  } finally {
    closeSync(held);
  }
}

/**
 * Opens a regular file, never a link, a pipe or a device a worker may have put in its place:
 * this process reads with synchronous calls, and a read from a pipe could wait forever.
 */
export function openRegularFile(path: string, flags: number): number {
  const descriptor = openSync(path, flags | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  if (!fstatSync(descriptor).isFile()) {
    closeSync(descriptor);
    throw new Error(`${path} is not a regular file`);
  }
  return descriptor;
}

/** A regular file's bytes (see `openRegularFile`). */
export function readRegularFile(path: string): Buffer {
  const descriptor = openRegularFile(path, constants.O_RDONLY);
  try {
    return readFileSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

/** Points the worktree's HEAD at `branch` (which must exist before anyone reads it). */
export function pointHead(lane: Worktree, branch: string): void {
  writeFileSync(join(lane.gitDir, 'HEAD'), `ref: refs/heads/${branch}\n`);
}

function deletePath(root: string, path: string, checked: Set<string>): void {
  checkFolders(root, dirname(path), checked, false);
  const file = join(root, path);
  const info = lstatSync(file, { throwIfNoEntry: false });
  if (!info) return;
  if (info.isDirectory()) throw new MoveRefused(`${path} is a folder where the tree has a file`);
  unlinkSync(file);
  // Folders left empty go, as git removes them.
  for (let folder = dirname(path); folder !== '.'; folder = dirname(folder)) {
    try {
      rmdirSync(join(root, folder));
    } catch {
      break;
    }
    checked.delete(folder);
  }
}

function writePath(root: string, change: TreeChange, contents: ReadonlyMap<string, Buffer>, checked: Set<string>): BigIntStats {
  const content = contents.get(change.path);
  if (!content) throw new MoveRefused(`the content of ${change.path} is not at hand`);
  checkFolders(root, dirname(change.path), checked, true);
  const file = join(root, change.path);
  if (change.status !== 'A') {
    // Never written through: the old file may be a link, or share its inode with a file elsewhere.
    const info = lstatSync(file, { throwIfNoEntry: false });
    if (info?.isDirectory()) throw new MoveRefused(`${change.path} is a folder where the tree has a file`);
    if (info) unlinkSync(file);
  }
  if (change.mode === '120000') {
    symlinkSync(content, file);
    return lstatSync(file, { bigint: true });
  }
  // O_EXCL: a path that exists after all (a link, a folder) fails here instead of being followed.
  const descriptor = openSync(file, 'wx', change.mode === '100755' ? 0o777 : 0o666);
  try {
    for (let done = 0; done < content.length; ) done += writeSync(descriptor, content, done, content.length - done);
    return fstatSync(descriptor, { bigint: true });
  } finally {
    closeSync(descriptor);
  }
}

/**
 * Makes sure every folder on the way to a path is a real folder in the worktree (made when
 * `create`), never a link that would lead out of it. Each folder is looked at once per pass.
 */
function checkFolders(root: string, folder: string, checked: Set<string>, create: boolean): void {
  if (folder === '.' || folder === '' || checked.has(folder)) return;
  checkFolders(root, dirname(folder), checked, create);
  const info = lstatSync(join(root, folder), { throwIfNoEntry: false });
  if (!info) {
    if (!create) return;
    mkdirSync(join(root, folder));
  } else if (!info.isDirectory()) throw new MoveRefused(`${folder} is not a folder`);
  checked.add(folder);
}
