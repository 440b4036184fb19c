import type { RepoFile } from './types.js';

/** Every folder that holds a listed path ('' is the root); submodules count as folders. */
export function foldersOf(files: readonly RepoFile[]): Set<string> {
  const folders = new Set<string>(['']);
  for (const file of files) {
    if (file.kind === 'submodule') folders.add(file.path);
    let slash = file.path.lastIndexOf('/');
    while (slash > 0) {
      const folder = file.path.slice(0, slash);
      if (folders.has(folder)) break;
      folders.add(folder);
      slash = folder.lastIndexOf('/');
    }
  }
  return folders;
}
