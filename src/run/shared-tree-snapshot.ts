import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { listRepoFiles } from '../core/analysis/repo-files.js';

/** Path -> fingerprint of a folder's files: how shared-tree mode finds what a wave changed. */
export type Snapshot = Map<string, string>;

const hashLimit = 1024 * 1024;

export async function takeSnapshot(root: string): Promise<Snapshot> {
  const listing = await listRepoFiles(root);
  const snapshot: Snapshot = new Map();
  for (const file of listing.files) {
    if (file.kind !== 'file') continue;
    try {
      const path = join(root, file.path);
      const stats = statSync(path);
      // Small files are hashed: a rewrite within the same second with the same size still shows.
      const content = stats.size <= hashLimit ? createHash('sha1').update(readFileSync(path)).digest('hex') : '';
      snapshot.set(file.path, `${stats.size}:${stats.mtimeMs}:${content}`);
    } catch {
      // Vanished between listing and reading: it shows as deleted.
    }
  }
  return snapshot;
}

export function changedPaths(before: Snapshot, after: Snapshot): string[] {
  const changed = new Set<string>();
  for (const [path, fingerprint] of after) if (before.get(path) !== fingerprint) changed.add(path);
  for (const path of before.keys()) if (!after.has(path)) changed.add(path);
  return [...changed].sort();
}
