/**
 * Folders never listed, at any depth: tool caches, dependency installs, virtual
 * environments and the orchestrator's own state. They are never the code a request is about,
 * and they are huge.
 */
export const alwaysSkippedFolders: ReadonlySet<string> = new Set([
  '.git',
  'node_modules',
  '.ap',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  '.mypy_cache',
  '.pytest_cache',
  '.next',
  '.cache',
]);

/** True when some folder on the path (not the last segment, which is the entry itself) is always skipped. */
export function liesInSkippedFolder(path: string, entryIsFolder: boolean): boolean {
  const segments = path.split('/');
  const folderCount = entryIsFolder ? segments.length : segments.length - 1;
  for (let index = 0; index < folderCount; index++) {
    if (alwaysSkippedFolders.has(segments[index]!)) return true;
  }
  return false;
}
