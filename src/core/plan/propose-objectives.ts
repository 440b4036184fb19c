import type { AnalysisReport, TaskType } from '../analysis/types.js';
import type { ObjectiveInput } from './objective-schema.js';

const verbs: Record<TaskType, string> = {
  FEATURE: 'Implement the request in',
  BUG: 'Fix the problem in',
  REFACTOR: 'Refactor',
  RESET: 'Rework',
  ENHANCEMENT: 'Improve',
  TEST: 'Add tests for',
  DOCS: 'Document',
};

/**
 * The deterministic split: one objective per affected module, scoped to that module.
 * A module that imports another affected module depends on its objective, so integration
 * work lands in a later wave, as the analysis' scope strategy suggests.
 */
export function proposeObjectives(analysis: Pick<AnalysisReport, 'request' | 'taskType' | 'modules' | 'affectedModules' | 'importGraph' | 'scopeStrategy'>): ObjectiveInput[] {
  const affected = new Set(analysis.affectedModules);
  const modules = analysis.modules.filter((module) => affected.has(module.name));
  const idOf = new Map<string, string>();
  const usedIds = new Set<string>();
  for (const module of modules) {
    const base = module.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-._]+|[-._]+$/g, '').slice(0, 56) || 'module';
    let id = base;
    for (let suffix = 2; usedIds.has(id); suffix += 1) id = `${base}-${suffix}`;
    usedIds.add(id);
    idOf.set(module.name, id);
  }
  // Modules that import each other share a strategy group; only earlier groups become dependencies, so no cycle.
  const groupOf = new Map<string, number>();
  analysis.scopeStrategy.waves.forEach((group, position) => group.forEach((name) => groupOf.set(name, position)));
  const earlier = (from: string, to: string) => (groupOf.get(to) ?? 0) < (groupOf.get(from) ?? 0);
  return modules.map((module) => {
    const imports = analysis.importGraph.filter((edge) => edge.from === module.name && affected.has(edge.to) && earlier(module.name, edge.to));
    return {
      id: idOf.get(module.name)!,
      title: `${verbs[analysis.taskType]} ${module.name}`,
      description: `${analysis.request}\n\nThis objective covers ${module.name} (${module.files} files, ${module.lines} lines).`,
      scopeTouch: [module.scope],
      scopeRead: imports.map((edge) => analysis.modules.find((candidate) => candidate.name === edge.to)?.scope).filter((scope): scope is string => scope !== undefined),
      dependsOn: imports.map((edge) => idOf.get(edge.to)!).filter(Boolean),
      acceptance: ['Existing tests still pass.'],
    };
  });
}
