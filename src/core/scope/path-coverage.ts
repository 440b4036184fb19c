import type { ScopeEntry } from './scope-entry.js';

/** Whether a concrete file path lies inside one scope entry. */
export function entryCoversPath(entry: ScopeEntry, path: string): boolean {
  switch (entry.kind) {
    case 'file':
      return path === entry.path;
    case 'folder':
      return entry.path === '' || path.startsWith(`${entry.path}/`);
    case 'glob':
      return entry.matches(path);
  }
}

/** The first entry that covers the path, if any. */
export function findCoveringEntry(entries: readonly ScopeEntry[], path: string): ScopeEntry | undefined {
  return entries.find((entry) => entryCoversPath(entry, path));
}
