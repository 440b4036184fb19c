import type { AnalysisReport } from '../analysis/types.js';
import type { RepoPaths } from '../scope/repo-paths.js';
import { assignWaves, type WaveMove } from './assign-waves.js';
import { dependencyOrder } from './dependency-order.js';
import { deriveContracts, type IntegrationContract } from './integration-contracts.js';
import type { Objective } from './objective-schema.js';
import type { PlanProblem } from './plan-problem.js';
import { parseGlobalForbid, validateObjectives } from './validate-objectives.js';

export interface PlannedObjective extends Objective {
  wave: number;
}

export interface PlanLayout {
  objectives: PlannedObjective[];
  /** Normalized global forbid entries. */
  globalForbid: string[];
  waves: { wave: number; objectives: string[] }[];
  moves: WaveMove[];
  contracts: IntegrationContract[];
  problems: PlanProblem[];
}

export interface BuildPlanInput {
  objectives: readonly Objective[];
  repo: RepoPaths;
  globalForbid: readonly string[];
  analysis?: Pick<AnalysisReport, 'modules' | 'importGraph'>;
}

/**
 * Validates objectives and lays them out in waves. Returns every problem found; when any is an
 * error the layout is empty and the plan must not be saved.
 */
export function buildPlan(input: BuildPlanInput): PlanLayout {
  const { objectives, repo } = input;
  const forbid = parseGlobalForbid(input.globalForbid, repo, 'global_forbid');
  const validation = validateObjectives(objectives, repo, forbid.entries);
  const problems = [...forbid.problems, ...validation.problems];
  const empty: PlanLayout = { objectives: [], globalForbid: [], waves: [], moves: [], contracts: [], problems };
  if (objectives.length === 0) {
    problems.push({ severity: 'error', field: 'objectives', message: 'The plan has no objectives.', fix: 'Pass at least one objective, or omit `objectives` to have them proposed.' });
  }
  if (problems.some((problem) => problem.severity === 'error')) return empty;

  const ids = objectives.map((objective) => objective.id);
  const ordered = dependencyOrder(ids, objectives.map((objective) => objective.dependsOn));
  if ('cycle' in ordered) {
    problems.push({
      severity: 'error',
      objective: ordered.cycle[0]!,
      field: 'dependsOn',
      message: `dependsOn forms a cycle: ${ordered.cycle.join(' -> ')}.`,
      fix: 'Remove one dependency from the cycle; objectives in a cycle could never start.',
    });
    return empty;
  }

  const indexById = new Map(ids.map((id, index) => [id, index]));
  const dependencies = objectives.map((objective) => [...new Set(objective.dependsOn)].map((id) => indexById.get(id)!));
  const touch = validation.scopes.map((scope) => scope.touch);
  const assignment = assignWaves(ids, ordered.order, dependencies, touch);

  // The plan keeps scopes in normalized form (`./src//a` -> `src/a`, folders with a trailing slash, duplicates dropped).
  const planned = objectives.map((objective, index): PlannedObjective => {
    const scopes = validation.scopes[index]!;
    const normalized = (entries: readonly { normalized: string }[]) => entries.map((entry) => entry.normalized);
    return {
      ...objective,
      scopeTouch: normalized(scopes.touch),
      scopeRead: normalized(scopes.read),
      scopeForbid: normalized(scopes.forbid),
      wave: assignment.waveOf[index]!,
    };
  });

  for (const move of assignment.moves) {
    problems.push({ severity: 'warning', objective: move.objective, field: 'scopeTouch', message: move.reason, fix: 'Nothing to do if the order is right; otherwise narrow the scopes so they do not overlap.' });
  }

  return {
    objectives: planned,
    globalForbid: forbid.entries.map((entry) => entry.normalized),
    waves: assignment.waves.map((members, position) => ({ wave: position + 1, objectives: members.map((member) => ids[member]!) })),
    moves: assignment.moves,
    contracts: deriveContracts(objectives, touch, assignment.waveOf, input.analysis),
    problems,
  };
}

/**
 * An objective's effective SCOPE_FORBID: the global list, its own scopeForbid, and the scopeTouch of
 * every other objective in its wave. Derived on demand: stored, it would grow with the square of a wave.
 */
export function effectiveForbid(plan: Pick<PlanLayout, 'objectives' | 'globalForbid'>, objectiveId: string): string[] {
  const objective = plan.objectives.find((candidate) => candidate.id === objectiveId);
  if (!objective) return [...plan.globalForbid];
  const others = plan.objectives.filter((other) => other.wave === objective.wave && other.id !== objective.id).flatMap((other) => other.scopeTouch);
  return [...new Set([...plan.globalForbid, ...objective.scopeForbid, ...others])];
}

/** Adds the derived effective forbid list to every objective of a stored plan. */
export function withEffectiveForbid<Plan extends Pick<PlanLayout, 'globalForbid'> & { objectives: PlannedObjective[] }>(
  plan: Plan,
): Omit<Plan, 'objectives'> & { objectives: (PlannedObjective & { effectiveForbid: string[] })[] } {
  return { ...plan, objectives: plan.objectives.map((objective) => ({ ...objective, effectiveForbid: effectiveForbid(plan, objective.id) })) };
}
