import picomatch from 'picomatch';
import { globSyntaxError, isMagicSegment, literalPrefix, literalSuffix, splitGlobSegments } from './glob-syntax.js';
import type { RepoPaths } from './repo-paths.js';

export type GlobSegment =
  | { globstar: true }
  | { globstar: false; text: string; literal: boolean; prefix: string; suffix: string; matches: (segment: string) => boolean };

interface EntryBase {
  /** The text the caller wrote. */
  raw: string;
  /** Normalized form: no `./`, no `//`, folders end with `/`, '' never (the whole repo is `./`). */
  normalized: string;
  /** Literal leading path segments (for files and folders: the whole path). */
  baseSegments: readonly string[];
}

export interface FileEntry extends EntryBase {
  kind: 'file';
  path: string;
}

export interface FolderEntry extends EntryBase {
  kind: 'folder';
  /** Folder path without trailing slash; '' is the repository root. */
  path: string;
}

export interface GlobEntry extends EntryBase {
  kind: 'glob';
  pattern: string;
  /** Null when a `/` sits inside braces or brackets: then comparisons stay conservative. */
  segments: readonly GlobSegment[] | null;
  /** Literal text every matched path ends with ('' when unknown): a cheap test before the regex. */
  requiredSuffix: string;
  matches: (path: string) => boolean;
}

export type ScopeEntry = FileEntry | FolderEntry | GlobEntry;

export type ParsedEntry = { ok: true; entry: ScopeEntry } | { ok: false; message: string; fix: string };

/** Matching is over file paths; dotfiles count (a scope of `src/**` covers `src/.env`). */
export const matchOptions = { dot: true } as const;

const maximumSymlinkHops = 40;

/**
 * Parses and normalizes one scope entry. Never throws: problems come back with a fix,
 * so the caller can report every bad entry at once.
 */
export function parseScopeEntry(raw: unknown, repo: RepoPaths): ParsedEntry {
  if (typeof raw !== 'string') return fail('is not a string.', 'Write the entry as a string path such as "src/auth.ts".');
  if (raw.length === 0) return fail('is empty.', 'Remove it, or write a path such as "src/auth/" or "./" for the whole repository.');
  const shown = JSON.stringify(raw);
  if (raw.includes('\0')) return fail(`${shown} contains a NUL byte.`, 'Remove the NUL character from the path.');
  if (raw !== raw.trim()) return fail(`${shown} has leading or trailing whitespace.`, 'Remove the spaces around the path.');
  if (raw.includes('\\')) {
    return fail(`${shown} contains a backslash.`, 'Use forward slashes ("src/auth/login.ts"); backslash escapes are not supported.');
  }
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw) || raw.startsWith('~')) {
    return fail(`${shown} is an absolute path.`, 'Use a path relative to the repository root, e.g. "src/auth.ts" instead of "/home/me/repo/src/auth.ts".');
  }
  if (raw.startsWith('!')) {
    return fail(`${shown} is a negated pattern.`, 'List what the objective may touch; put paths it must not touch in scopeForbid.');
  }
  const syntaxError = globSyntaxError(raw);
  const looksLikeGlob = raw.split('/').some(isMagicSegment);
  if (syntaxError && (looksLikeGlob || /[[\]{}]/.test(raw))) {
    return fail(`${shown} is not a valid glob: ${syntaxError}.`, 'Fix the pattern, e.g. "src/**/*.ts" or "src/{a,b}/*.ts".');
  }

  const segments: string[] = [];
  for (const segment of raw.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      const popped = segments.pop();
      if (popped === undefined) {
        return fail(`${shown} escapes the repository with "..".`, 'Use a path inside the repository, relative to its root.');
      }
      if (isMagicSegment(popped)) return fail(`${shown} has ".." after a glob segment.`, 'Write the pattern without "..".');
      continue;
    }
    segments.push(segment);
  }

  const resolved = resolveSymlinks(segments, repo);
  if (!resolved.ok) {
    return fail(
      `${shown} passes through the symlink "${resolved.link}", which points outside the repository.`,
      'Name a path inside the repository; symlinks that leave it are never followed.',
    );
  }
  const path = resolved.segments.join('/');
  const firstMagic = resolved.segments.findIndex(isMagicSegment);

  if (firstMagic === -1) {
    const isFolder = path === '' || raw.endsWith('/') || raw.endsWith('/.') || raw === '.' || repo.isDirectory(path);
    if (isFolder) {
      return { ok: true, entry: { kind: 'folder', raw, path, normalized: path === '' ? './' : `${path}/`, baseSegments: resolved.segments } };
    }
    return { ok: true, entry: { kind: 'file', raw, path, normalized: path, baseSegments: resolved.segments } };
  }

  const pattern = path;
  let expression: RegExp;
  try {
    expression = compileGlob(pattern);
  } catch (error) {
    return fail(`${shown} is not a valid glob: ${(error as Error).message}.`, 'Fix the pattern, e.g. "src/**/*.ts".');
  }
  // A path spelled like a glob (Next.js's `app/[id]/page.tsx`) also covers itself literally.
  const matches = (candidate: string): boolean => candidate === pattern || expression.test(candidate);
  const split = splitGlobSegments(pattern);
  const last = split?.[split.length - 1];
  const requiredSuffix = last === undefined || last === '**' ? '' : literalSuffix(last);
  return {
    ok: true,
    entry: {
      kind: 'glob',
      raw,
      pattern,
      normalized: pattern,
      baseSegments: resolved.segments.slice(0, firstMagic),
      segments: split?.map(toGlobSegment) ?? null,
      requiredSuffix,
      matches,
    },
  };
}

function toGlobSegment(text: string): GlobSegment {
  if (text === '**') return { globstar: true };
  const literal = !isMagicSegment(text);
  const expression = literal ? undefined : compileGlob(text);
  const matcher = expression ? (segment: string) => expression.test(segment) : (segment: string) => segment === text;
  return { globstar: false, text, literal, prefix: literalPrefix(text), suffix: literalSuffix(text), matches: matcher };
}

/** Canonicalizes symlinks inside the repo to their targets, so `link/x` and `target/x` are seen as one path. */
function resolveSymlinks(input: string[], repo: RepoPaths): { ok: true; segments: string[] } | { ok: false; link: string } {
  let segments = input;
  for (let hop = 0; hop < maximumSymlinkHops; hop += 1) {
    let changed = false;
    for (let length = 1; length <= segments.length; length += 1) {
      if (isMagicSegment(segments[length - 1]!)) break;
      const prefix = segments.slice(0, length).join('/');
      const link = repo.symlink(prefix);
      if (!link) continue;
      if (link.target === null) return { ok: false, link: prefix };
      // A link that is itself the last segment names the link file; git tracks the link, not its target.
      if (length === segments.length) break;
      segments = [...(link.target === '' ? [] : link.target.split('/')), ...segments.slice(length)];
      changed = true;
      break;
    }
    if (!changed) return { ok: true, segments };
  }
  return { ok: false, link: input.join('/') };
}

const compiled = new Map<string, RegExp>();
const compiledLimit = 50_000;

/** Plans repeat patterns a lot; compiling each once keeps planning 10,000 objectives fast. */
function compileGlob(pattern: string): RegExp {
  let expression = compiled.get(pattern);
  if (!expression) {
    expression = picomatch.makeRe(pattern, matchOptions);
    if (compiled.size >= compiledLimit) compiled.clear();
    compiled.set(pattern, expression);
  }
  return expression;
}

function fail(message: string, fix: string): ParsedEntry {
  return { ok: false, message: `Scope entry ${message}`, fix };
}
