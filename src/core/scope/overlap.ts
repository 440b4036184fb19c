import type { FolderEntry, GlobEntry, GlobSegment, ScopeEntry } from './scope-entry.js';

/**
 * Whether some file path, existing or not yet created, could match both entries.
 * Exact for files and folders; for globs it proves disjointness segment by segment and
 * answers "overlap" whenever it cannot prove it, so a real overlap is never missed.
 *
 * A literal entry also collides with anything at or below it (`src/a` vs `src/a/x.ts`):
 * one needs `src/a` to be a file and the other a folder, which cannot both be merged.
 */
export function entriesOverlap(a: ScopeEntry, b: ScopeEntry): boolean {
  if (a.kind !== 'glob' && b.kind !== 'glob') return literalsOverlap(a.baseSegments, a.kind, b.baseSegments, b.kind);
  if (a.kind === 'glob' && b.kind === 'glob') return globsOverlap(a, b);
  const glob = (a.kind === 'glob' ? a : b) as GlobEntry;
  const literal = (a.kind === 'glob' ? b : a) as Exclude<ScopeEntry, GlobEntry>;
  return literal.kind === 'file' ? globOverlapsFile(glob, literal.path, literal.baseSegments) : globOverlapsFolder(glob, literal);
}

function literalsOverlap(a: readonly string[], _aKind: string, b: readonly string[], _bKind: string): boolean {
  // Files and folders alike: one path is a prefix (or equal) of the other.
  return isSegmentPrefix(a, b) || isSegmentPrefix(b, a);
}

export function isSegmentPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  if (prefix.length > path.length) return false;
  for (let index = 0; index < prefix.length; index += 1) if (prefix[index] !== path[index]) return false;
  return true;
}

export function globOverlapsFile(glob: GlobEntry, path: string, segments: readonly string[]): boolean {
  if ((path.endsWith(glob.requiredSuffix) || path === glob.pattern) && glob.matches(path)) return true;
  // The glob lives entirely below the file's path: a file/folder clash.
  return isSegmentPrefix(segments, glob.baseSegments);
}

/** Could the glob match a file strictly inside the folder (or is the glob rooted below a file clash)? */
export function globOverlapsFolder(glob: GlobEntry, folder: FolderEntry): boolean {
  const folderSegments = folder.baseSegments;
  if (isSegmentPrefix(folderSegments, glob.baseSegments)) return true;
  if (glob.segments === null) return true;
  const segments = glob.segments;
  for (let index = 0; index < folderSegments.length; index += 1) {
    const segment = segments[index];
    if (segment === undefined) return false;
    if (segment.globstar) return true;
    if (!segment.matches(folderSegments[index]!)) return false;
  }
  // Paths inside the folder have more segments than the folder itself.
  return segments.length > folderSegments.length;
}

export function globsOverlap(a: GlobEntry, b: GlobEntry): boolean {
  if (a.pattern === b.pattern) return true;
  if (a.segments === null || b.segments === null) return true;
  const first = a.segments;
  const second = b.segments;
  const firstHasGlobstar = first.some((segment) => segment.globstar);
  const secondHasGlobstar = second.some((segment) => segment.globstar);
  if (!firstHasGlobstar && !secondHasGlobstar) {
    if (first.length !== second.length) return false;
    return first.every((segment, index) => !segmentsDisjoint(segment, second[index]!));
  }
  const firstMinimum = first.filter((segment) => !segment.globstar).length;
  const secondMinimum = second.filter((segment) => !segment.globstar).length;
  if (!firstHasGlobstar && first.length < secondMinimum) return false;
  if (!secondHasGlobstar && second.length < firstMinimum) return false;
  // Leading segments before either side's first `**` must pairwise intersect...
  for (let index = 0; index < Math.min(first.length, second.length); index += 1) {
    const left = first[index]!;
    const right = second[index]!;
    if (left.globstar || right.globstar) break;
    if (segmentsDisjoint(left, right)) return false;
  }
  // ...and so must trailing segments after either side's last `**`.
  for (let offset = 1; offset <= Math.min(first.length, second.length); offset += 1) {
    const left = first[first.length - offset]!;
    const right = second[second.length - offset]!;
    if (left.globstar || right.globstar) break;
    if (segmentsDisjoint(left, right)) return false;
  }
  return true;
}

/** True only when no single path segment can match both patterns. */
function segmentsDisjoint(left: GlobSegment, right: GlobSegment): boolean {
  if (left.globstar || right.globstar) return false;
  if (left.literal) return !right.matches(left.text);
  if (right.literal) return !left.matches(right.text);
  const prefixesAgree = left.prefix.startsWith(right.prefix) || right.prefix.startsWith(left.prefix);
  const suffixesAgree = left.suffix.endsWith(right.suffix) || right.suffix.endsWith(left.suffix);
  return !prefixesAgree || !suffixesAgree;
}
