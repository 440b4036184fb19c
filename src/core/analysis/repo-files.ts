import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors/input-error.js';
import type { RepoFile, RepoListing } from './types.js';
import { classifyPaths } from './classify-paths.js';
import { walkFolder } from './folder-walk.js';
import { runGit } from './git-command.js';
import { byPlainOrder } from './plain-order.js';
import { liesInSkippedFolder } from './skipped-folders.js';

async function assertFolder(givenRoot: string, original: string): Promise<void> {
  const fix = 'Pass the absolute path of the repository folder to analyze (the folder that holds its .git, or any project folder).';
  let isFolder: boolean;
  try {
    isFolder = (await stat(givenRoot)).isDirectory();
  } catch (error) {
    throw new InputError([{ field: 'repo', message: `Repository path "${original}" does not exist or cannot be opened.`, fix }], { cause: error });
  }
  if (!isFolder) throw new InputError([{ field: 'repo', message: `Repository path "${original}" is a file, not a folder.`, fix }]);
}

/** Paths git would show for this folder: tracked plus untracked-not-ignored, relative to the folder. */
async function gitListedPaths(realRoot: string): Promise<string[] | undefined> {
  const listed = await runGit(realRoot, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
  if (!listed.ok) return undefined;
  const unique = new Set<string>();
  for (const raw of listed.stdout.split('\0')) {
    if (!raw) continue;
    // Untracked nested repositories come back as `folder/`.
    const isFolder = raw.endsWith('/');
    const relativePath = isFolder ? raw.slice(0, -1) : raw;
    if (!liesInSkippedFolder(relativePath, isFolder)) unique.add(relativePath);
  }
  return [...unique];
}

function gitFallbackWarning(stderr: string, missingGit: boolean, realRoot: string): string | undefined {
  if (missingGit) return 'git is not installed: listed as a plain folder, .gitignore files honored.';
  if (/not a git repository/i.test(stderr)) return undefined;
  if (/dubious ownership/i.test(stderr)) {
    return `git refused the repository (dubious ownership): listed as a plain folder. Fix: git config --global --add safe.directory ${realRoot}`;
  }
  return `git could not read this folder (${stderr.trim().split('\n')[0]}): listed as a plain folder.`;
}

/**
 * Lists every file a change could touch. Git repositories list what git lists (tracked plus
 * untracked-not-ignored), relative to `root` even when it is a subfolder of the repository;
 * other folders are walked with their .gitignore files. Symlinks are never followed.
 */
export async function listRepoFiles(root: string): Promise<RepoListing> {
  const givenRoot = path.resolve(root);
  await assertFolder(givenRoot, root);
  const realRoot = await realpath(givenRoot);
  const warnings: string[] = [];
  let files: RepoFile[] | undefined;
  let isGitRepo = false;
  const topLevel = await runGit(realRoot, ['rev-parse', '--show-toplevel']);
  if (topLevel.ok) {
    const paths = await gitListedPaths(realRoot);
    if (paths) {
      isGitRepo = true;
      const classified = classifyPaths(realRoot, givenRoot, paths);
      files = classified.files;
      warnings.push(...classified.warnings);
    } else warnings.push('git ls-files failed: listed as a plain folder, .gitignore files honored.');
  } else {
    const warning = gitFallbackWarning(topLevel.stderr, topLevel.missingGit, realRoot);
    if (warning) warnings.push(warning);
  }
  if (!files) {
    const walked = await walkFolder(realRoot, givenRoot);
    files = walked.files;
    warnings.push(...walked.warnings);
  }
  files.sort((left, right) => byPlainOrder(left.path, right.path));
  return { root: realRoot, isGitRepo, files, warnings: [...new Set(warnings)].sort(byPlainOrder) };
}
