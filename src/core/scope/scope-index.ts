import { globOverlapsFile, globOverlapsFolder, globsOverlap } from './overlap.js';
import type { ScopeEntry } from './scope-entry.js';

export interface IndexedEntry<Owner> {
  entry: ScopeEntry;
  owner: Owner;
}

class TrieNode<Owner> {
  readonly children = new Map<string, TrieNode<Owner>>();
  /** Entries whose literal base ends exactly here. */
  readonly entries: IndexedEntry<Owner>[] = [];
  /** Entries in this node and below: lets a query skip empty branches. */
  size = 0;
}

/**
 * A path trie of scope entries, keyed by their literal base. Finding every stored entry that
 * overlaps a new one costs the length of its path plus the entries that could collide with
 * it, instead of a scan over everything stored: planning 10,000 objectives stays fast.
 */
export class ScopeIndex<Owner> {
  private readonly root = new TrieNode<Owner>();

  get size(): number {
    return this.root.size;
  }

  add(entry: ScopeEntry, owner: Owner): void {
    let node = this.root;
    node.size += 1;
    for (const segment of entry.baseSegments) {
      let child = node.children.get(segment);
      if (!child) {
        child = new TrieNode<Owner>();
        node.children.set(segment, child);
      }
      node = child;
      node.size += 1;
    }
    node.entries.push({ entry, owner });
  }

  /** Every stored entry that overlaps `entry` (see `entriesOverlap`). */
  overlapping(entry: ScopeEntry): IndexedEntry<Owner>[] {
    return this.search(entry, Number.POSITIVE_INFINITY);
  }

  /** The first stored entry found that overlaps `entry`; stops searching there. */
  findOverlap(entry: ScopeEntry): IndexedEntry<Owner> | undefined {
    return this.search(entry, 1)[0];
  }

  private search(entry: ScopeEntry, limit: number): IndexedEntry<Owner>[] {
    const found: IndexedEntry<Owner>[] = [];
    const base = entry.baseSegments;
    let node: TrieNode<Owner> | undefined = this.root;
    // Entries rooted strictly above the new entry's base.
    for (let depth = 0; depth < base.length && node; depth += 1) {
      for (const stored of node.entries) {
        if (overlapsFromAbove(stored.entry, entry) && found.push(stored) >= limit) return found;
      }
      node = node.children.get(base[depth]!);
    }
    if (!node || node.size === 0) return found;
    // Entries rooted at or below the new entry's base: all of them collide with a file or folder.
    const stack: TrieNode<Owner>[] = [node];
    while (stack.length > 0) {
      const current = stack.pop()!;
      for (const stored of current.entries) {
        if ((entry.kind !== 'glob' || overlapsFromBelow(stored.entry, entry)) && found.push(stored) >= limit) return found;
      }
      for (const child of current.children.values()) if (child.size > 0) stack.push(child);
    }
    return found;
  }
}

/** `stored` has a literal base that is a strict prefix of `incoming`'s base. */
function overlapsFromAbove(stored: ScopeEntry, incoming: ScopeEntry): boolean {
  if (stored.kind !== 'glob') return true;
  if (incoming.kind === 'file') return globOverlapsFile(stored, incoming.path, incoming.baseSegments);
  if (incoming.kind === 'folder') return globOverlapsFolder(stored, incoming);
  return globsOverlap(stored, incoming);
}

/** `incoming` is a glob; `stored` has a base at or below the glob's base. */
function overlapsFromBelow(stored: ScopeEntry, incoming: ScopeEntry & { kind: 'glob' }): boolean {
  if (stored.kind === 'file') return globOverlapsFile(incoming, stored.path, stored.baseSegments);
  if (stored.kind === 'folder') return globOverlapsFolder(incoming, stored);
  return globsOverlap(stored, incoming);
}
