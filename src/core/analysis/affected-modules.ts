import { rootFilesModule } from './module-layout.js';
import { byPlainOrder } from './plain-order.js';

/** File names too common to mean "this module" when a request says them. */
const genericStems: ReadonlySet<string> = new Set([
  'index', 'main', 'mod', 'lib', 'init', '__init__', '__main__', 'types', 'type', 'utils', 'util', 'helper', 'helpers',
  'constants', 'common', 'test', 'tests', 'spec', 'setup', 'readme', 'license', 'changelog', 'package', 'makefile', 'dockerfile',
]);

/** `users` and `user`, `categories` and `category`, `classes` and `class` compare equal. */
function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (/(?:ss|x|ch|sh|z)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

interface RequestWords {
  words: Set<string>;
  paths: Set<string>;
}

function requestWords(request: string): RequestWords {
  const words = new Set<string>();
  const paths = new Set<string>();
  for (const raw of request.toLowerCase().split(/[^\p{L}\p{N}_./-]+/u)) {
    // Sentence punctuation ("fix auth.") is not part of the word.
    const token = raw.replace(/^\.\//, '').replace(/^[-.]+|[-./]+$/g, '');
    if (!token) continue;
    words.add(singular(token));
    if (/[./]/.test(token)) paths.add(token);
    for (const part of token.split(/[./-]+/)) if (part) words.add(singular(part));
  }
  return { words, paths };
}

function stemOf(filePath: string): string {
  const name = filePath.slice(filePath.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return (dot > 0 ? name.slice(0, dot) : name).toLowerCase();
}

export interface AffectedModules {
  modules: string[];
  /** False when the request named no module and every module was taken. */
  named: boolean;
}

/**
 * Modules the request names: by the module folder's own name, by a file path, or by a
 * file's name without extension, as whole words and ignoring plural endings.
 */
export function findAffectedModules(
  request: string,
  moduleNames: readonly string[],
  filesWithModule: Iterable<{ path: string; module: string }>,
): AffectedModules {
  const { words, paths } = requestWords(request);
  const affected = new Set<string>();
  for (const name of moduleNames) {
    if (name === rootFilesModule || name.endsWith(` ${rootFilesModule}`)) continue;
    const lastSegment = name.slice(name.lastIndexOf('/') + 1).toLowerCase();
    if (words.has(singular(lastSegment)) || paths.has(name.toLowerCase())) affected.add(name);
  }
  for (const { path, module } of filesWithModule) {
    if (affected.has(module)) continue;
    const lowerPath = path.toLowerCase();
    const stem = stemOf(path);
    const dot = lowerPath.lastIndexOf('.');
    const withoutExtension = dot > lowerPath.lastIndexOf('/') + 1 ? lowerPath.slice(0, dot) : lowerPath;
    if (paths.has(lowerPath) || paths.has(withoutExtension)) affected.add(module);
    else if (stem.length >= 3 && !genericStems.has(stem) && words.has(singular(stem))) affected.add(module);
  }
  if (affected.size === 0) return { modules: [...moduleNames].sort(byPlainOrder), named: false };
  return { modules: [...affected].sort(byPlainOrder), named: true };
}
