import { entriesOverlap } from '../scope/overlap.js';
import { findCoveringEntry } from '../scope/path-coverage.js';
import { parseScopeEntry, type ScopeEntry } from '../scope/scope-entry.js';
import type { RepoPaths } from '../scope/repo-paths.js';
import type { Objective } from './objective-schema.js';
import { objectiveIdPattern, type PlanProblem } from './plan-problem.js';

export interface ParsedScopes {
  touch: ScopeEntry[];
  read: ScopeEntry[];
  forbid: ScopeEntry[];
}

/** Parses the global forbid list; a bad entry is a configuration problem, named as such. */
export function parseGlobalForbid(entries: readonly string[], repo: RepoPaths, source: string): { entries: ScopeEntry[]; problems: PlanProblem[] } {
  const parsed: ScopeEntry[] = [];
  const problems: PlanProblem[] = [];
  entries.forEach((raw, position) => {
    const result = parseScopeEntry(raw, repo);
    if (result.ok) parsed.push(result.entry);
    else problems.push({ severity: 'error', field: `${source}[${position}]`, message: result.message, fix: result.fix });
  });
  return { entries: parsed, problems };
}

/**
 * Checks every objective on its own and against the others' ids. Collects every problem
 * instead of stopping at the first, so a caller can fix a whole plan in one round.
 */
export function validateObjectives(
  objectives: readonly Objective[],
  repo: RepoPaths,
  globalForbid: readonly ScopeEntry[],
): { scopes: ParsedScopes[]; problems: PlanProblem[] } {
  const problems: PlanProblem[] = [];
  const seen = new Map<string, number>();
  const ids = new Set(objectives.map((objective) => objective.id));

  const scopes = objectives.map((objective, position) => {
    const name = objective.id || `objectives[${position}]`;
    const error = (field: string, message: string, fix: string) => problems.push({ severity: 'error', objective: name, field, message, fix });
    const warning = (field: string, message: string, fix: string) => problems.push({ severity: 'warning', objective: name, field, message, fix });

    if (!objectiveIdPattern.test(objective.id) || objective.id.endsWith('.lock') || objective.id.includes('..')) {
      error('id', `Id ${JSON.stringify(objective.id)} is not usable in branch and folder names.`, 'Use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit, without ".." or a ".lock" ending, e.g. "auth-login".');
    }
    const earlier = seen.get(objective.id);
    if (earlier !== undefined) {
      error('id', `Id "${objective.id}" is used by objectives[${earlier}] and objectives[${position}].`, 'Give every objective its own id.');
    } else seen.set(objective.id, position);

    const parseList = (field: 'scopeTouch' | 'scopeRead' | 'scopeForbid') => {
      const entries: ScopeEntry[] = [];
      const normalized = new Set<string>();
      objective[field].forEach((raw, entryPosition) => {
        const result = parseScopeEntry(raw, repo);
        if (!result.ok) error(`${field}[${entryPosition}]`, result.message, result.fix);
        else if (!normalized.has(result.entry.normalized)) {
          normalized.add(result.entry.normalized);
          entries.push(result.entry);
        }
      });
      return entries;
    };
    const touch = parseList('scopeTouch');
    const read = parseList('scopeRead');
    const forbid = parseList('scopeForbid');

    if (objective.scopeTouch.length === 0) {
      error('scopeTouch', 'scopeTouch is empty: the objective could not change anything.', 'List the files, folders or globs it may change, e.g. ["src/auth/"].');
    }
    touch.forEach((entry) => {
      const field = `scopeTouch[${objective.scopeTouch.indexOf(entry.raw)}]`;
      const globallyForbidden = literalInside(entry, globalForbid);
      if (globallyForbidden) {
        error(field, `"${entry.raw}" lies inside the global forbid entry "${globallyForbidden.raw}".`, 'Remove it from scopeTouch, or change global_forbid in team.json if the objective really must touch it.');
      }
      const ownForbid = literalInside(entry, forbid);
      if (ownForbid) {
        error(field, `"${entry.raw}" lies inside the objective's own scopeForbid entry "${ownForbid.raw}".`, 'Remove it from one of the two lists.');
      }
    });

    const dependencies = new Set<string>();
    objective.dependsOn.forEach((dependency, dependencyPosition) => {
      const field = `dependsOn[${dependencyPosition}]`;
      if (dependency === objective.id) error(field, 'The objective depends on itself.', `Remove "${dependency}" from its dependsOn.`);
      else if (!ids.has(dependency)) {
        error(field, `Depends on "${dependency}", which is not an objective of this plan.`, `Add an objective with id "${dependency}", or remove it from dependsOn (known ids: ${[...ids].slice(0, 20).join(', ')}).`);
      } else if (dependencies.has(dependency)) {
        warning(field, `"${dependency}" is listed twice in dependsOn.`, 'List each dependency once.');
      }
      dependencies.add(dependency);
    });
    return { touch, read, forbid };
  });
  return { scopes, problems };
}

/** For a file or folder entry: the forbid entry that fully contains it. Globs are left to enforcement. */
function literalInside(entry: ScopeEntry, forbid: readonly ScopeEntry[]): ScopeEntry | undefined {
  if (entry.kind === 'glob') return undefined;
  if (entry.kind === 'file') return findCoveringEntry(forbid, entry.path) ?? forbid.find((other) => other.kind !== 'glob' && other.path === entry.path);
  return forbid.find((other) => other.kind === 'folder' && entriesOverlap(other, entry) && (other.path === '' || entry.path === other.path || entry.path.startsWith(`${other.path}/`)));
}
