import { emptyRepoPaths } from './repo-paths.js';
import { findCoveringEntry } from './path-coverage.js';
import { parseScopeEntry, type ScopeEntry } from './scope-entry.js';

export interface ChangeViolation {
  file: string;
  reason: 'outside_touch' | 'forbidden';
  /** For `forbidden`: the forbid entry that matched. */
  entry?: string;
}

function parseAll(entries: readonly string[]): ScopeEntry[] {
  return entries.flatMap((raw) => {
    const parsed = parseScopeEntry(raw, emptyRepoPaths);
    return parsed.ok ? [parsed.entry] : [];
  });
}

/**
 * The guarantee, checked after the fact: every changed file must lie inside SCOPE_TOUCH and
 * outside the effective SCOPE_FORBID. Forbid wins where both match.
 */
export function checkChanges(changedFiles: readonly string[], scopeTouch: readonly string[], effectiveForbid: readonly string[]): ChangeViolation[] {
  const touch = parseAll(scopeTouch);
  const forbid = parseAll(effectiveForbid);
  const violations: ChangeViolation[] = [];
  for (const file of changedFiles) {
    const forbidden = findCoveringEntry(forbid, file);
    if (forbidden) violations.push({ file, reason: 'forbidden', entry: forbidden.raw });
    else if (!findCoveringEntry(touch, file)) violations.push({ file, reason: 'outside_touch' });
  }
  return violations;
}

export function describeViolation(violation: ChangeViolation): string {
  return violation.reason === 'forbidden'
    ? `${violation.file} is forbidden (matches SCOPE_FORBID entry "${violation.entry}")`
    : `${violation.file} is outside SCOPE_TOUCH`;
}
