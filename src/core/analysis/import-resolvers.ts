import path from 'node:path';
import type { ImportDialect } from './import-extraction.js';
import type { ManifestFacts } from './manifests.js';
import type { ModuleLayout } from './module-layout.js';

export interface RepoShape {
  /** Every listed path (files, symlinks, submodules). */
  listed: ReadonlySet<string>;
  /** Every folder that holds a listed path, '' included. */
  folders: ReadonlySet<string>;
  layout: ModuleLayout;
}

/** Resolves one specifier, written in a file of `fromFolder`, to the module it refers to. */
export type SpecifierResolver = (fromFolder: string, dialect: ImportDialect, specifier: string) => string | undefined;

const scriptExtensions = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts', '.vue', '.svelte'];
const compiledToSource: ReadonlyMap<string, readonly string[]> = new Map([
  ['.js', ['.ts', '.tsx']],
  ['.jsx', ['.tsx']],
  ['.mjs', ['.mts']],
  ['.cjs', ['.cts']],
]);

export function folderOf(filePath: string): string {
  const slash = filePath.lastIndexOf('/');
  return slash < 0 ? '' : filePath.slice(0, slash);
}

/** `a/b` joined with `../c`, or undefined when it leaves the repository. */
function joinInside(folder: string, relative: string): string | undefined {
  const joined = path.posix.normalize(folder ? `${folder}/${relative}` : relative).replace(/\/+$/, '');
  if (joined === '..' || joined.startsWith('../') || joined.startsWith('/')) return undefined;
  return joined === '.' ? '' : joined;
}

function scriptTarget(shape: RepoShape, target: string): string | undefined {
  const { listed, folders, layout } = shape;
  if (target && listed.has(target) && !folders.has(target)) return layout.moduleOf(target);
  const extension = path.posix.extname(target);
  for (const sourceExtension of compiledToSource.get(extension) ?? []) {
    const candidate = target.slice(0, -extension.length) + sourceExtension;
    if (listed.has(candidate)) return layout.moduleOf(candidate);
  }
  for (const candidateExtension of scriptExtensions) {
    if (listed.has(target + candidateExtension)) return layout.moduleOf(target + candidateExtension);
  }
  if (folders.has(target)) return layout.moduleOf(target, true);
  // Generated or not-yet-written file in a known folder: its module is still clear.
  return folders.has(folderOf(target)) ? layout.moduleOf(target) : undefined;
}

function pythonDotted(shape: RepoShape, base: string, parts: readonly string[]): string | undefined {
  for (let length = parts.length; length >= 1; length--) {
    const stem = (base ? [base, ...parts.slice(0, length)] : parts.slice(0, length)).join('/');
    if (shape.listed.has(`${stem}.py`) || shape.listed.has(`${stem}.pyi`)) return shape.layout.moduleOf(`${stem}.py`);
    if (shape.folders.has(stem)) return shape.layout.moduleOf(stem, true);
  }
  return undefined;
}

/** Builds the resolver for a repository: workspace package names, Python roots and Go module paths come from manifests. */
export function createSpecifierResolver(shape: RepoShape, manifests: ManifestFacts): SpecifierResolver {
  const workspacePackages = new Map<string, string>();
  for (const pkg of manifests.packageJsons) {
    const name = pkg.content['name'];
    if (typeof name === 'string' && name) workspacePackages.set(name, pkg.folder);
  }
  const pythonRoots = [...new Set(['', 'src', ...manifests.pythonFolders.flatMap((folder) => [folder, folder ? `${folder}/src` : 'src'])])].filter(
    (root) => root === '' || shape.folders.has(root),
  );
  const goModules = [...manifests.goModules].sort((left, right) => right.modulePath.length - left.modulePath.length);

  const resolveScript = (fromFolder: string, specifier: string): string | undefined => {
    if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
      const target = joinInside(fromFolder, specifier);
      return target === undefined ? undefined : scriptTarget(shape, target);
    }
    const segments = specifier.split('/');
    const packageName = specifier.startsWith('@') ? segments.slice(0, 2).join('/') : segments[0]!;
    const folder = workspacePackages.get(packageName);
    if (folder === undefined) return undefined;
    const rest = specifier.slice(packageName.length + 1);
    const inPackage = rest ? joinInside(folder, rest) : undefined;
    return (inPackage && scriptTarget(shape, inPackage)) || shape.layout.moduleOf(folder ? `${folder}/package.json` : 'package.json');
  };

  const resolvePython = (fromFolder: string, specifier: string): string | undefined => {
    const level = /^\.*/.exec(specifier)![0].length;
    const parts = specifier.slice(level).split('.').filter(Boolean);
    if (level === 0) {
      for (const root of pythonRoots) {
        const found = pythonDotted(shape, root, parts);
        if (found) return found;
      }
      return undefined;
    }
    const base = joinInside(fromFolder, '../'.repeat(level - 1) || '.');
    if (base === undefined) return undefined;
    return parts.length === 0 ? shape.layout.moduleOf(base, true) : pythonDotted(shape, base, parts);
  };

  const resolveGo = (specifier: string): string | undefined => {
    for (const { folder, modulePath } of goModules) {
      if (specifier !== modulePath && !specifier.startsWith(`${modulePath}/`)) continue;
      const rest = specifier.slice(modulePath.length + 1);
      const target = rest ? joinInside(folder, rest) : folder;
      if (target !== undefined && shape.folders.has(target)) return shape.layout.moduleOf(target, true);
    }
    return undefined;
  };

  return (fromFolder, dialect, specifier) => {
    if (dialect === 'script') return resolveScript(fromFolder, specifier);
    if (dialect === 'python') return resolvePython(fromFolder, specifier);
    return resolveGo(specifier);
  };
}
