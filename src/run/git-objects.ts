import * as crypto from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { TreeChange } from './repo-git.js';

/**
 * Commits and trees written by this process as loose objects (`Documentation/gitformat-*`,
 * "Object storage"), for the run engine's own bookkeeping commits: an objective's work on its
 * base, and a wave's merge. A wave boundary writes twenty commits and a merge of a few files
 * each; starting git for them cost more than all git then did.
 *
 * Only what git itself would write is written: the same bytes, hashed the same way, in a file
 * made under a temporary name and renamed into place, read-only. `RepoGit` uses this only where
 * git would do nothing more: no shared-repository permissions, no second object format to map.
 */

/** A tree as this process knows it: its entries, by name, and its id once written. */
export interface Tree {
  sha?: string;
  entries: Map<string, TreeItem>;
}

/** An entry of a tree: a blob, a link or a submodule by id, or a subtree (mode "40000"). */
export interface TreeItem {
  mode: string;
  sha?: string;
  tree?: Tree;
}

/** Two changes of one merge that cannot both hold: a file where a folder is, or the reverse. */
export class TreeConflict extends Error {}

const treeMode = '40000';
/** The ids of the empty tree, in sha1 and sha256 repositories. */
const emptyTrees = new Set(['4b825dc642cb6eb9a060e54bf8d69288fbee4904', '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321']);

/** The id git gives an object: the hash of its header and body (one call where Node.js has `crypto.hash`, 20.12 on). */
export function objectId(format: string, type: 'blob' | 'tree' | 'commit', body: Buffer): string {
  return digest(format, Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]));
}

function digest(format: string, raw: Buffer): string {
  const algorithm = format === 'sha256' ? 'sha256' : 'sha1';
  return typeof crypto.hash === 'function' ? crypto.hash(algorithm, raw, 'hex') : crypto.createHash(algorithm).update(raw).digest('hex');
}
const committer = 'ap-orchestrator <ap-orchestrator@localhost>';

/** Writes loose objects into one object folder. */
export class ObjectWriter {
  private readonly folders = new Set<string>();
  private counter = 0;

  constructor(
    private readonly objects: string,
    private readonly format: string,
    /** Flush each object to disk before it is named, as git does when configured to (`core.fsync`). */
    private readonly sync = false,
  ) {}

  get hashLength(): number {
    return this.format === 'sha256' ? 32 : 20;
  }

  /** Writes an object unless the store has it; returns its id. */
  write(type: 'blob' | 'tree' | 'commit', body: Buffer): string {
    const raw = Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]);
    const id = digest(this.format, raw);
    const folder = join(this.objects, id.slice(0, 2));
    const file = join(folder, id.slice(2));
    if (existsSync(file)) return id;
    if (!this.folders.has(folder)) {
      mkdirSync(folder, { recursive: true });
      this.folders.add(folder);
    }
    // As git does: a temporary file in the same folder (git's prune removes one left by a crash), then a rename.
    const temporary = join(folder, `tmp_obj_ap${process.pid}_${++this.counter}`);
    const descriptor = openSync(temporary, 'wx', 0o444);
    try {
      writeFileSync(descriptor, deflateSync(raw));
      if (this.sync) fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    try {
      renameSync(temporary, file);
    } catch (error) {
      unlinkSync(temporary);
      throw error;
    }
    return id;
  }

  /** Writes every tree of `root` not written yet (subtrees left empty are dropped, as git does); returns the root's id. */
  writeTree(root: Tree): string {
    return this.writeSubtree(root, true)!;
  }

  private writeSubtree(tree: Tree, root: boolean): string | undefined {
    if (tree.sha) return tree.sha;
    for (const [name, item] of tree.entries) {
      if (!item.tree || item.sha) continue;
      const sha = this.writeSubtree(item.tree, false);
      if (sha) item.sha = sha;
      else tree.entries.delete(name);
    }
    if (tree.entries.size === 0 && !root) return undefined;
    // Git's order: by name as bytes, a folder's name as if it ended with a slash.
    const named = [...tree.entries].map(([name, item]) => ({ item, name: Buffer.from(name), key: Buffer.from(item.mode === treeMode ? `${name}/` : name) }));
    named.sort((left, right) => Buffer.compare(left.key, right.key));
    const parts: Buffer[] = [];
    for (const { name, item } of named) parts.push(Buffer.from(`${item.mode} `), name, Buffer.from([0]), Buffer.from(item.sha!, 'hex'));
    tree.sha = this.write('tree', Buffer.concat(parts));
    return tree.sha;
  }

  /** Writes a commit of `tree` with `parents`, by ap-orchestrator, at `time` (seconds). */
  writeCommit(tree: string, parents: readonly string[], message: string, time: number): string {
    const stamp = `${committer} ${time} +0000`;
    const lines = [`tree ${tree}`, ...parents.map((parent) => `parent ${parent}`), `author ${stamp}`, `committer ${stamp}`, '', message.endsWith('\n') ? message : `${message}\n`];
    return this.write('commit', Buffer.from(lines.join('\n')));
  }
}

/**
 * The tree of `changes` applied to `base`, sharing what did not change with it: deletions
 * first (a file deleted can make room for a folder), then additions and changes. Folders that
 * changed have no id until `ObjectWriter.writeTree` writes them.
 */
export function applyChanges(base: Tree, changes: readonly TreeChange[]): Tree {
  const root: Tree = { entries: new Map(base.entries) };
  const fresh = new Set<Tree>([root]);
  const folder = (parent: Tree, name: string, create: boolean, path: string): Tree | undefined => {
    const item = parent.entries.get(name);
    if (!item) {
      if (!create) return undefined;
      const made: Tree = { entries: new Map() };
      fresh.add(made);
      parent.entries.set(name, { mode: treeMode, tree: made });
      return made;
    }
    if (item.mode !== treeMode || !item.tree) throw new TreeConflict(`${path} is a file where a change needs a folder`);
    if (fresh.has(item.tree)) return item.tree;
    const copy: Tree = { entries: new Map(item.tree.entries) };
    fresh.add(copy);
    parent.entries.set(name, { mode: treeMode, tree: copy });
    return copy;
  };
  const ordered = [...changes.filter((change) => change.status === 'D'), ...changes.filter((change) => change.status !== 'D')];
  for (const change of ordered) {
    const parts = change.path.split('/');
    const name = parts.pop()!;
    let tree: Tree | undefined = root;
    for (let depth = 0; depth < parts.length && tree; depth += 1) tree = folder(tree, parts[depth]!, change.status !== 'D', parts.slice(0, depth + 1).join('/'));
    if (!tree) continue;
    const present = tree.entries.get(name)?.tree;
    // A folder whose files these changes deleted makes room for a file.
    if (present && !(fresh.has(present) && holdsNoFile(present))) throw new TreeConflict(`${change.path} is a folder where a change has a file`);
    if (change.status === 'D') tree.entries.delete(name);
    else tree.entries.set(name, { mode: change.mode, sha: change.sha });
  }
  return root;
}

function holdsNoFile(tree: Tree): boolean {
  return [...tree.entries.values()].every((item) => item.tree !== undefined && holdsNoFile(item.tree));
}

/**
 * Reads `git ls-tree -r -t -z --full-tree` output (trees listed before what they hold) into a
 * tree whose root has the id `rootSha`. Undefined when a name is not valid UTF-8: such a tree is
 * left to git.
 */
export function parseTreeListing(rootSha: string, listing: string): Tree | undefined {
  // Nothing listed is the empty tree, and nothing else.
  if (listing.replace(/\0/g, '') === '' && !emptyTrees.has(rootSha)) return undefined;
  const root: Tree = { sha: rootSha, entries: new Map() };
  const folders = new Map<string, Tree>([['', root]]);
  for (const record of listing.split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [mode = '', type = '', sha = ''] = record.slice(0, tab).split(' ');
    const path = record.slice(tab + 1);
    if (tab < 0 || path.includes('\uFFFD')) return undefined;
    const slash = path.lastIndexOf('/');
    const parent = folders.get(slash < 0 ? '' : path.slice(0, slash));
    if (!parent) return undefined;
    const name = path.slice(slash + 1);
    if (type === 'tree') {
      const tree: Tree = { sha, entries: new Map() };
      folders.set(path, tree);
      parent.entries.set(name, { mode: treeMode, sha, tree });
    } else parent.entries.set(name, { mode: mode.replace(/^0+/, ''), sha });
  }
  return root;
}
