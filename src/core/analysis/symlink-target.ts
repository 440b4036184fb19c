import { readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { describeFsError } from './fs-error-text.js';

export interface SymlinkFacts {
  symlinkTarget: string;
  symlinkEscapes: boolean;
  warning?: string;
}

function isInside(candidate: string, folder: string): boolean {
  return candidate === folder || candidate.startsWith(folder.endsWith(path.sep) ? folder : folder + path.sep);
}

/**
 * Reads a link's text and decides whether it leaves the repository. The link is never
 * followed for content; realpath only asks where it leads. Both the lexical answer and the
 * real one are checked, because either alone can be fooled (`inner -> ../x` through a
 * nested link, or a link whose target does not exist yet).
 */
export function symlinkFacts(realRoot: string, givenRoot: string, relativePath: string): SymlinkFacts {
  const absolutePath = path.join(realRoot, relativePath);
  let symlinkTarget: string;
  try {
    symlinkTarget = readlinkSync(absolutePath, 'utf8');
  } catch (error) {
    // An unreadable link is treated as escaping: nothing may trust where it leads.
    return { symlinkTarget: '', symlinkEscapes: true, warning: `${relativePath}: symlink ${describeFsError(error)}` };
  }
  const lexical = path.resolve(path.dirname(absolutePath), symlinkTarget);
  const lexicallyInside = isInside(lexical, realRoot) || isInside(lexical, givenRoot);
  let reallyInside = true;
  try {
    reallyInside = isInside(realpathSync(absolutePath), realRoot);
  } catch {
    // Dangling or looping link: the lexical answer is all there is.
  }
  return { symlinkTarget, symlinkEscapes: !(lexicallyInside && reallyInside) };
}
