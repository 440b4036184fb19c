import type { AnalysisReport } from '../analysis/types.js';
import { entriesOverlap } from '../scope/overlap.js';
import { parseScopeEntry, type ScopeEntry } from '../scope/scope-entry.js';
import { emptyRepoPaths } from '../scope/repo-paths.js';
import type { Objective } from './objective-schema.js';

export interface IntegrationContract {
  kind: 'dependency' | 'import' | 'integration_point';
  /** Objectives that provide the interface (for `integration_point`: the objective that declared it). */
  providers: string[];
  /** Objectives that rely on it. */
  consumers: string[];
  description: string;
}

/**
 * Derives what objectives must agree on: explicit dependencies, module imports between the
 * scopes they touch (from the analysis' import graph), and the caller's integration points.
 * Import contracts are grouped per module edge, so their number stays linear in the plan size.
 */
export function deriveContracts(
  objectives: readonly Objective[],
  touch: readonly (readonly ScopeEntry[])[],
  waveOf: readonly number[],
  analysis: Pick<AnalysisReport, 'modules' | 'importGraph'> | undefined,
): IntegrationContract[] {
  const contracts: IntegrationContract[] = [];
  objectives.forEach((objective, index) => {
    for (const dependency of new Set(objective.dependsOn)) {
      contracts.push({
        kind: 'dependency',
        providers: [dependency],
        consumers: [objective.id],
        description: `"${objective.id}" (wave ${waveOf[index]}) builds on "${dependency}": its result is merged before "${objective.id}" starts.`,
      });
    }
  });

  if (analysis && analysis.importGraph.length > 0) {
    const touchingModule = new Map<string, string[]>();
    for (const module of analysis.modules) {
      const parsed = parseScopeEntry(module.scope, emptyRepoPaths);
      if (!parsed.ok) continue;
      const moduleEntry = parsed.entry;
      const touching = objectives.filter((_objective, index) => touch[index]!.some((entry) => entriesOverlap(entry, moduleEntry)));
      if (touching.length > 0) touchingModule.set(module.name, touching.map((objective) => objective.id));
    }
    for (const edge of analysis.importGraph) {
      const consumers = touchingModule.get(edge.from);
      const providers = touchingModule.get(edge.to);
      if (!consumers || !providers) continue;
      contracts.push({
        kind: 'import',
        providers,
        consumers,
        description: `${edge.from} imports ${edge.to} (${edge.imports} import${edge.imports === 1 ? '' : 's'}): ${list(providers)} must keep what ${edge.to} exports working for ${list(consumers)}, or change both sides in agreement.`,
      });
    }
  }

  objectives.forEach((objective) => {
    for (const point of objective.integrationPoints) {
      contracts.push({ kind: 'integration_point', providers: [objective.id], consumers: [], description: `"${objective.id}": ${point}` });
    }
  });
  return contracts;
}

function list(ids: readonly string[]): string {
  const shown = ids.slice(0, 5).map((id) => `"${id}"`).join(', ');
  return ids.length > 5 ? `${shown} and ${ids.length - 5} more` : shown;
}
