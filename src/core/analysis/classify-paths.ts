import { readdirSync, type Dirent } from 'node:fs';
import path from 'node:path';
import type { RepoFile } from './types.js';
import { describeFsError } from './fs-error-text.js';
import { symlinkFacts } from './symlink-target.js';

export interface ClassifiedPaths {
  files: RepoFile[];
  warnings: string[];
}

function groupByFolder(paths: readonly string[]): Map<string, string[]> {
  const byFolder = new Map<string, string[]>();
  for (const relativePath of paths) {
    const slash = relativePath.lastIndexOf('/');
    const folder = slash < 0 ? '' : relativePath.slice(0, slash);
    let names = byFolder.get(folder);
    if (!names) byFolder.set(folder, (names = []));
    names.push(relativePath.slice(slash + 1));
  }
  return byFolder;
}

/**
 * Classifies git-listed paths by what is on disk now, dropping the ones that are gone
 * (deleted but still in the index). One readdir per folder instead of one lstat per file:
 * ten times faster on a large repository.
 */
export function classifyPaths(realRoot: string, givenRoot: string, paths: readonly string[]): ClassifiedPaths {
  const files: RepoFile[] = [];
  const warnings: string[] = [];
  for (const [folder, names] of groupByFolder(paths)) {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder ? path.join(realRoot, folder) : realRoot, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      // Still listed: git says they exist; reading them will report them unreadable.
      warnings.push(`${folder}/: ${describeFsError(error)}`);
      for (const name of names) files.push({ path: folder ? `${folder}/${name}` : name, kind: 'file' });
      continue;
    }
    const byName = new Map<string, Dirent>();
    for (const entry of entries) byName.set(entry.name, entry);
    for (const name of names) {
      const entry = byName.get(name);
      if (!entry) continue;
      const relativePath = folder ? `${folder}/${name}` : name;
      if (entry.isSymbolicLink()) {
        const facts = symlinkFacts(realRoot, givenRoot, relativePath);
        if (facts.warning) warnings.push(facts.warning);
        files.push({ path: relativePath, kind: 'symlink', symlinkTarget: facts.symlinkTarget, symlinkEscapes: facts.symlinkEscapes });
      } else if (entry.isDirectory()) {
        files.push({ path: relativePath, kind: 'submodule' });
      } else {
        // Regular files, and special files (a FIFO where git tracks a file): reading tells them apart.
        files.push({ path: relativePath, kind: 'file' });
      }
    }
  }
  return { files, warnings };
}
