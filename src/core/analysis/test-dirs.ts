import type { RepoFile } from './types.js';
import { byPlainOrder } from './plain-order.js';

const testFolderNames: ReadonlySet<string> = new Set(['test', 'tests', '__tests__', 'spec', 'specs', 'e2e', 'testing']);

export function isTestFolderName(name: string): boolean {
  return testFolderNames.has(name);
}

/** The shallowest test folders (a `tests/` inside a `tests/` is covered by the outer one), with a trailing slash. */
export function findTestDirs(files: readonly RepoFile[]): string[] {
  const found = new Set<string>();
  for (const file of files) {
    const segments = file.path.split('/');
    const folderCount = file.kind === 'submodule' ? segments.length : segments.length - 1;
    for (let index = 0; index < folderCount; index++) {
      if (testFolderNames.has(segments[index]!)) {
        found.add(`${segments.slice(0, index + 1).join('/')}/`);
        break;
      }
    }
  }
  return [...found].sort(byPlainOrder);
}
