import { foldersOf } from '../analysis/folders-of.js';
import type { RepoListing } from '../analysis/types.js';

/**
 * What scope handling needs to know about the target repository: which paths exist,
 * which are folders, and which are symlinks (and where they lead). Built once per plan.
 */
export interface RepoPaths {
  /** Known file paths, sorted. Used for overlap witnesses and glob tests. */
  readonly files: readonly string[];
  isDirectory(path: string): boolean;
  /** The symlink at exactly this path, if any. `target` is repo-relative, or null when it leaves the repo. */
  symlink(path: string): { target: string | null } | undefined;
}

export function repoPathsFromListing(listing: RepoListing): RepoPaths {
  const files = listing.files.map((file) => file.path).sort();
  const directories = foldersOf(listing.files);
  const symlinks = new Map<string, { target: string | null }>();
  for (const file of listing.files) {
    if (file.kind === 'symlink') {
      symlinks.set(file.path, { target: file.symlinkEscapes ? null : resolveLinkTarget(file.path, file.symlinkTarget ?? '') });
    }
  }
  return {
    files,
    isDirectory: (path) => directories.has(path),
    symlink: (path) => symlinks.get(path),
  };
}

/** An empty repository view: nothing exists yet. */
export const emptyRepoPaths: RepoPaths = { files: [], isDirectory: () => false, symlink: () => undefined };

/** Lexically resolves a link's text against its folder; null when the result leaves the repo. */
function resolveLinkTarget(linkPath: string, linkText: string): string | null {
  if (linkText.startsWith('/')) return null;
  const parts = linkPath.split('/').slice(0, -1);
  for (const segment of linkText.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(segment);
  }
  return parts.join('/');
}
