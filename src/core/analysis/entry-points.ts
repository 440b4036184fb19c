import path from 'node:path';
import type { AnalysisReport } from './types.js';
import type { ManifestFacts, PackageJsonFacts } from './manifests.js';
import { byPlainOrder } from './plain-order.js';
import { isTestFolderName } from './test-dirs.js';

type EntryPoint = AnalysisReport['entryPoints'][number];

const indexNames = new Set(['index.ts', 'index.js', 'index.mjs', 'index.tsx', 'index.jsx']);
const anywhereNames = new Set([
  'main.ts',
  'main.js',
  'main.py',
  'main.go',
  'main.rs',
  '__main__.py',
  'app.py',
  'manage.py',
  'server.ts',
  'server.js',
  'cli.ts',
  'cli.js',
  'cli.py',
]);

function resolveInside(folder: string, value: string): string | undefined {
  const joined = path.posix.normalize(path.posix.join(folder, value));
  return joined.startsWith('..') || path.posix.isAbsolute(joined) ? undefined : joined;
}

/** String leaves of the `exports` "." entry (or of exports given as one string or as bare conditions). */
function mainExportTargets(exportsField: unknown): string[] {
  if (typeof exportsField === 'string') return [exportsField];
  if (!exportsField || typeof exportsField !== 'object' || Array.isArray(exportsField)) return [];
  const record = exportsField as Record<string, unknown>;
  const keys = Object.keys(record);
  const dotEntry = keys.some((key) => key.startsWith('.')) ? record['.'] : record;
  const targets: string[] = [];
  const collect = (value: unknown, depth: number): void => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object' && depth < 5) for (const nested of Object.values(value)) collect(nested, depth + 1);
  };
  collect(dotEntry, 0);
  return targets;
}

function packageJsonEntries(pkg: PackageJsonFacts, add: (path: string | undefined, reason: string) => void): void {
  const { content, folder } = pkg;
  for (const field of ['main', 'module']) {
    const value = content[field];
    if (typeof value === 'string') add(resolveInside(folder, value), `${pkg.path} "${field}"`);
  }
  const bin = content['bin'];
  if (typeof bin === 'string') add(resolveInside(folder, bin), `${pkg.path} "bin"`);
  else if (bin && typeof bin === 'object') {
    for (const [command, target] of Object.entries(bin)) {
      if (typeof target === 'string') add(resolveInside(folder, target), `${pkg.path} "bin" (${command})`);
    }
  }
  for (const target of mainExportTargets(content['exports'])) add(resolveInside(folder, target), `${pkg.path} "exports"`);
}

function pythonModuleFile(folder: string, dotted: string, exists: (path: string) => boolean): string | undefined {
  const relative = dotted.trim().replace(/\./g, '/');
  for (const base of [folder, folder ? `${folder}/src` : 'src']) {
    const stem = base ? `${base}/${relative}` : relative;
    for (const candidate of [`${stem}.py`, `${stem}/__init__.py`, `${stem}/__main__.py`]) if (exists(candidate)) return candidate;
  }
  return undefined;
}

function conventionReason(filePath: string): string | undefined {
  const segments = filePath.split('/');
  const name = segments[segments.length - 1]!;
  const parent = segments[segments.length - 2];
  if (segments.slice(0, -1).some(isTestFolderName)) return undefined;
  if (name === 'main.go' && segments[segments.length - 3] === 'cmd') return `Go command cmd/${parent}/main.go`;
  if (name === 'lib.rs' && parent === 'src') return 'Rust library root src/lib.rs';
  if (indexNames.has(name) && (segments.length === 1 || (segments.length === 2 && parent === 'src'))) return `conventional name ${name}`;
  if (anywhereNames.has(name)) return `conventional name ${name}`;
  if (parent === 'bin') return 'file in bin/';
  return undefined;
}

/** Entry points declared by manifests (only files that exist) and found by naming convention. */
export function findEntryPoints(regularFiles: readonly string[], listed: ReadonlySet<string>, manifests: ManifestFacts): EntryPoint[] {
  const reasons = new Map<string, string[]>();
  const add = (filePath: string | undefined, reason: string): void => {
    if (!filePath || !listed.has(filePath)) return;
    const known = reasons.get(filePath);
    if (!known) reasons.set(filePath, [reason]);
    else if (!known.includes(reason)) known.push(reason);
  };
  for (const pkg of manifests.packageJsons) packageJsonEntries(pkg, add);
  for (const script of manifests.pythonScripts) {
    const declared = `${script.manifestPath} [${script.table}] "${script.script}"`;
    const modulePart = script.target.split(':')[0] ?? '';
    const file = pythonModuleFile(script.folder, modulePart, (candidate) => listed.has(candidate));
    if (file) add(file, declared);
    else add(script.manifestPath, `${declared} -> ${script.target}`);
  }
  for (const filePath of regularFiles) {
    const reason = conventionReason(filePath);
    if (reason) add(filePath, reason);
  }
  return [...reasons.entries()]
    .map(([filePath, why]) => ({ path: filePath, reason: why.join('; ') }))
    .sort((left, right) => byPlainOrder(left.path, right.path));
}
