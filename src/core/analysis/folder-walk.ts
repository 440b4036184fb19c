import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { RepoFile } from './types.js';
import { describeFsError } from './fs-error-text.js';
import { alwaysSkippedFolders } from './skipped-folders.js';
import { symlinkFacts } from './symlink-target.js';

interface IgnoreRules {
  /** Folder (repo-relative, '' for the root) whose .gitignore these rules come from. */
  base: string;
  rules: Ignore;
}

interface PendingFolder {
  relativePath: string;
  rulesChain: readonly IgnoreRules[];
}

/** Like git: the deepest .gitignore that has an opinion wins. */
function isIgnored(relativePath: string, isFolder: boolean, rulesChain: readonly IgnoreRules[]): boolean {
  for (let index = rulesChain.length - 1; index >= 0; index--) {
    const { base, rules } = rulesChain[index]!;
    const local = base ? relativePath.slice(base.length + 1) : relativePath;
    let verdict;
    try {
      verdict = rules.test(isFolder ? `${local}/` : local);
    } catch {
      // `ignore` rejects names made only of dots; git has no rule that could match them either.
      return false;
    }
    if (verdict.ignored) return true;
    if (verdict.unignored) return false;
  }
  return false;
}

function readIgnoreRules(absoluteFolder: string, relativeFolder: string, warnings: string[]): IgnoreRules | undefined {
  const file = path.join(absoluteFolder, '.gitignore');
  try {
    return { base: relativeFolder, rules: ignore({ ignorecase: false }).add(readFileSync(file, 'utf8')) };
  } catch (error) {
    warnings.push(`${relativeFolder ? `${relativeFolder}/` : ''}.gitignore: ${describeFsError(error)}`);
    return undefined;
  }
}

const foldersPerYield = 256;

/**
 * Lists a folder that is not a git repository the way git would list it: .gitignore files
 * at every level, special files (FIFOs, sockets) left out, symlinks listed but never entered.
 */
export async function walkFolder(realRoot: string, givenRoot: string): Promise<{ files: RepoFile[]; warnings: string[] }> {
  const files: RepoFile[] = [];
  const warnings: string[] = [];
  const pending: PendingFolder[] = [{ relativePath: '', rulesChain: [] }];
  let foldersSinceYield = 0;
  while (pending.length > 0) {
    const { relativePath: folder, rulesChain: inherited } = pending.pop()!;
    const absoluteFolder = folder ? path.join(realRoot, folder) : realRoot;
    let entries: Dirent[];
    try {
      entries = readdirSync(absoluteFolder, { withFileTypes: true });
    } catch (error) {
      warnings.push(`${folder}/: ${describeFsError(error)}`);
      continue;
    }
    let rulesChain = inherited;
    if (entries.some((entry) => entry.name === '.gitignore' && entry.isFile())) {
      const own = readIgnoreRules(absoluteFolder, folder, warnings);
      if (own) rulesChain = [...inherited, own];
    }
    for (const entry of entries) {
      const relativePath = folder ? `${folder}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (alwaysSkippedFolders.has(entry.name) || isIgnored(relativePath, true, rulesChain)) continue;
        pending.push({ relativePath, rulesChain });
      } else if (entry.isSymbolicLink()) {
        if (isIgnored(relativePath, false, rulesChain)) continue;
        const facts = symlinkFacts(realRoot, givenRoot, relativePath);
        if (facts.warning) warnings.push(facts.warning);
        files.push({ path: relativePath, kind: 'symlink', symlinkTarget: facts.symlinkTarget, symlinkEscapes: facts.symlinkEscapes });
      } else if (entry.isFile() && !isIgnored(relativePath, false, rulesChain)) {
        files.push({ path: relativePath, kind: 'file' });
      }
    }
    // A huge folder must not freeze the server's event loop for the whole walk.
    if (++foldersSinceYield >= foldersPerYield) {
      foldersSinceYield = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return { files, warnings };
}
