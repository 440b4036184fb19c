import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import type { Tree } from './git-objects.js';

/**
 * Git's index file (`Documentation/gitformat-index.txt`), read and written for the one job the
 * run engine needs it for: moving a worktree to the next wave's base without starting git.
 * Only what that job can rely on is accepted. A split or sparse index, a conflict, an
 * intent-to-add or skip-worktree entry, an assume-unchanged bit: `readIndex` says
 * "unsupported", and git does the move instead. Optional extensions (the cache tree, the
 * untracked cache) are dropped on write; the cache tree is written again when the tree the
 * index holds is known (`cacheTreeExtension`).
 */

/** One stage-0 entry. `stat` is the 40 bytes from ctime to size, the mode included. */
export interface IndexEntry {
  path: Buffer;
  stat: Buffer;
  sha: Buffer;
}

/** What an entry records of a file, as `lstat` (with bigint) gives it. */
export type FileStat = Pick<BigIntStats, 'ctimeNs' | 'mtimeNs' | 'dev' | 'ino' | 'uid' | 'gid' | 'size'>;

const statLength = 40;
const modeOffset = 24;
const billion = 1_000_000_000n;
const low32 = 0xffffffffn;

/** The entries of an index, by path; undefined when the index holds anything `writeIndex` could not keep. */
export function readIndex(bytes: Buffer, hashLength: number): IndexEntry[] | undefined {
  if (bytes.length < 12 + hashLength || bytes.toString('latin1', 0, 4) !== 'DIRC') return undefined;
  const version = bytes.readUInt32BE(4);
  if (version < 2 || version > 4) return undefined;
  const count = bytes.readUInt32BE(8);
  const entries: IndexEntry[] = [];
  let offset = 12;
  let previous: Buffer = Buffer.alloc(0);
  const end = bytes.length - hashLength;
  for (let index = 0; index < count; index += 1) {
    const start = offset;
    if (offset + statLength + hashLength + 2 > end) return undefined;
    const stat = bytes.subarray(offset, offset + statLength);
    offset += statLength;
    const sha = bytes.subarray(offset, offset + hashLength);
    offset += hashLength;
    const flags = bytes.readUInt16BE(offset);
    offset += 2;
    // assume-valid, extended (skip-worktree, intent-to-add) or a conflict stage: git's job.
    if ((flags & 0xf000) !== 0) return undefined;
    let path: Buffer;
    if (version === 4) {
      const [strip, after] = readVarint(bytes, offset);
      if (strip > previous.length) return undefined;
      const nul = bytes.indexOf(0, after);
      if (nul < 0 || nul >= end) return undefined;
      path = Buffer.concat([previous.subarray(0, previous.length - strip), bytes.subarray(after, nul)]);
      offset = nul + 1;
    } else {
      const nul = bytes.indexOf(0, offset);
      if (nul < 0 || nul >= end) return undefined;
      path = bytes.subarray(offset, nul);
      offset = start + ((statLength + hashLength + 2 + path.length + 8) & ~7);
    }
    previous = path;
    entries.push({ path, stat, sha });
  }
  // Extensions: an optional one (its name starts with a capital) is a cache that can go; a
  // required one (a split index's "link", a sparse index's "sdir") changes what the entries mean.
  while (offset + 8 <= end) {
    const first = bytes[offset]!;
    if (first < 0x41 || first > 0x5a) return undefined;
    offset += 8 + bytes.readUInt32BE(offset + 4);
  }
  return offset === end ? entries : undefined;
}

/**
 * The bytes of a version 2 index holding `entries`, sorted as git sorts them (unless `sorted`
 * says they are), and `extension` (whole, with its header) if given.
 */
export function writeIndex(entries: readonly IndexEntry[], format: string, extension?: Buffer, sorted = false): Buffer {
  if (!sorted) entries = [...entries].sort((left, right) => Buffer.compare(left.path, right.path));
  const hashLength = format === 'sha256' ? 32 : 20;
  const sizes = entries.map((entry) => (statLength + entry.sha.length + 2 + entry.path.length + 8) & ~7);
  const bytes = Buffer.alloc(12 + sizes.reduce((total, size) => total + size, 0) + (extension?.length ?? 0) + hashLength);
  bytes.write('DIRC', 0, 'latin1');
  bytes.writeUInt32BE(2, 4);
  bytes.writeUInt32BE(entries.length, 8);
  let offset = 12;
  entries.forEach((entry, index) => {
    entry.stat.copy(bytes, offset, 0, statLength);
    entry.sha.copy(bytes, offset + statLength);
    bytes.writeUInt16BE(Math.min(entry.path.length, 0xfff), offset + statLength + entry.sha.length);
    entry.path.copy(bytes, offset + statLength + entry.sha.length + 2);
    offset += sizes[index]!;
  });
  if (extension) offset += extension.copy(bytes, offset);
  createHash(format === 'sha256' ? 'sha256' : 'sha1').update(bytes.subarray(0, offset)).digest().copy(bytes, offset);
  return bytes;
}

/**
 * The cache tree extension ("TREE") of an index whose entries are exactly `tree`'s files: the id
 * of every folder's tree, which lets `git status` compare the index with HEAD without reading
 * HEAD's trees, and `git commit` skip writing the ones it has. Git trusts these ids, so the
 * entries are checked against the tree first, path, mode and blob; undefined on any difference,
 * or when a folder's id is not known. The entries come by path (its bytes as latin1).
 */
export function cacheTreeExtension(byPath: ReadonlyMap<string, IndexEntry>, tree: Tree): Buffer | undefined {
  const known = cacheTreeOf(tree);
  if (!known || known.files.size !== byPath.size) return undefined;
  for (const [path, entry] of byPath) {
    const file = known.files.get(path);
    if (!file || file.mode !== entry.stat.readUInt32BE(modeOffset) || !file.sha.equals(entry.sha)) return undefined;
  }
  return known.extension;
}

interface CacheTree {
  /** The tree's files by path (the bytes of its UTF-8 as latin1, as index paths compare), with mode and id. */
  files: Map<string, { mode: number; sha: Buffer }>;
  extension: Buffer;
}

/** Each tree's extension, made once: a wave boundary writes the same tree into every lane's index. */
const cacheTrees = new WeakMap<Tree, CacheTree>();

function cacheTreeOf(tree: Tree): CacheTree | undefined {
  const cached = cacheTrees.get(tree);
  if (cached) return cached;
  const files = new Map<string, { mode: number; sha: Buffer }>();
  const parts: Buffer[] = [];
  // Pre-order, as git writes it; returns the folder's count of index entries (-1: an id unknown).
  const visit = (folder: Tree, name: string, prefix: string): number => {
    const at = parts.length;
    parts.push(Buffer.alloc(0));
    let count = 0;
    let subtrees = 0;
    // Git keeps a folder's subtrees ordered by name length, then bytes.
    const names = [...folder.entries.keys()].map((child) => Buffer.from(child)).sort((left, right) => left.length - right.length || Buffer.compare(left, right));
    for (const bytes of names) {
      const child = bytes.toString();
      const item = folder.entries.get(child)!;
      if (!item.tree) {
        if (!item.sha) return -1;
        files.set(`${prefix}${bytes.toString('latin1')}`, { mode: Number.parseInt(item.mode, 8), sha: Buffer.from(item.sha, 'hex') });
        count += 1;
        continue;
      }
      const below = visit(item.tree, child, `${prefix}${bytes.toString('latin1')}/`);
      if (below < 0) return -1;
      // An emptied folder is no tree of git's.
      if (below === 0) continue;
      count += below;
      subtrees += 1;
    }
    if (count > 0 && !folder.sha) return -1;
    parts[at] = count === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from(`${name}\0${count} ${subtrees}\n`), Buffer.from(folder.sha!, 'hex')]);
    return count;
  };
  // Not kept when it cannot be made: a tree's ids are filled in as it is written.
  if (visit(tree, '', '') <= 0) return undefined;
  const made = { files, extension: extensionBytes('TREE', Buffer.concat(parts)) };
  cacheTrees.set(tree, made);
  return made;
}

function extensionBytes(signature: string, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.write(signature, 0, 'latin1');
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** An entry's stat bytes for a file just written, with its mode ("100644", "100755", "120000"). */
export function statBytes(stat: FileStat, mode: string): Buffer {
  const bytes = Buffer.alloc(statLength);
  const fields = [
    stat.ctimeNs / billion,
    stat.ctimeNs % billion,
    stat.mtimeNs / billion,
    stat.mtimeNs % billion,
    stat.dev,
    stat.ino,
    BigInt(Number.parseInt(mode, 8)),
    stat.uid,
    stat.gid,
    stat.size,
  ];
  fields.forEach((value, index) => bytes.writeUInt32BE(Number(value & low32), index * 4));
  return bytes;
}

/** The mode an entry records, as git writes it ("100644"). */
export function entryMode(entry: IndexEntry): string {
  return entry.stat.readUInt32BE(modeOffset).toString(8);
}

/** Git's offset varint (varint.c): each continuation adds one before shifting. */
function readVarint(bytes: Buffer, offset: number): [number, number] {
  let byte = bytes[offset++] ?? 0;
  let value = byte & 0x7f;
  while (byte & 0x80) {
    byte = bytes[offset++] ?? 0;
    value = ((value + 1) << 7) | (byte & 0x7f);
  }
  return [value, offset];
}
