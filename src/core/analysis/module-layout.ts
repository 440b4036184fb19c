import type { RepoFile } from './types.js';
import { isSourceLanguage, languageOf } from './languages.js';

/** Folders that hold modules rather than being one, when they have subfolders. */
export const containerFolders: ReadonlySet<string> = new Set([
  'src',
  'lib',
  'packages',
  'apps',
  'app',
  'pkg',
  'internal',
  'cmd',
  'crates',
  'modules',
  'services',
  'libs',
  'components',
]);

export const rootFilesModule = '(root files)';

export interface ModuleLayout {
  /** Module of a listed path (a folder when `isFolder`), or undefined for config at the root and dot-folders. */
  moduleOf(path: string, isFolder?: boolean): string | undefined;
  /** Scope entry covering exactly the module. */
  scopeOf(moduleName: string): string;
}

function folderSegments(file: RepoFile): string[] {
  const segments = file.path.split('/');
  // A submodule is a folder: its own name is a folder segment, not a file name.
  if (file.kind !== 'submodule') segments.pop();
  return segments;
}

/**
 * Decides the module layout from the listing alone: every top-level folder is a module,
 * except container folders (`src`, `packages`...) with subfolders, whose subfolders are
 * the modules. Root files form a module only when some of them are source code.
 */
export function buildModuleLayout(files: readonly RepoFile[]): ModuleLayout {
  const containersWithSubfolders = new Set<string>();
  let rootHasSource = false;
  for (const file of files) {
    const folders = folderSegments(file);
    if (folders.length === 0) {
      if (file.kind === 'file' && isSourceLanguage(languageOf(file.path))) rootHasSource = true;
    } else if (folders.length >= 2 && containerFolders.has(folders[0]!) && !folders[1]!.startsWith('.')) {
      containersWithSubfolders.add(folders[0]!);
    }
  }
  // Called for every file and every resolved import: string scanning, not split().
  const moduleOf = (path: string, isFolder = false): string | undefined => {
    const folderEnd = isFolder ? path.length : path.lastIndexOf('/');
    if (folderEnd <= 0) return rootHasSource ? rootFilesModule : undefined;
    const firstSlash = path.indexOf('/');
    const top = firstSlash < 0 || firstSlash > folderEnd ? path.slice(0, folderEnd) : path.slice(0, firstSlash);
    if (top.startsWith('.')) return undefined;
    if (!containersWithSubfolders.has(top)) return top;
    if (top.length >= folderEnd) return `${top} ${rootFilesModule}`;
    const secondSlash = path.indexOf('/', top.length + 1);
    const secondEnd = secondSlash < 0 || secondSlash > folderEnd ? folderEnd : secondSlash;
    const second = path.slice(top.length + 1, secondEnd);
    return second.startsWith('.') ? undefined : `${top}/${second}`;
  };
  const scopeOf = (moduleName: string): string => {
    if (moduleName === rootFilesModule) return '*';
    if (moduleName.endsWith(` ${rootFilesModule}`)) return `${moduleName.slice(0, -rootFilesModule.length - 1)}/*`;
    return `${moduleName}/`;
  };
  return { moduleOf, scopeOf };
}
