import type { AnalysisReport } from './types.js';
import type { ImportEdge } from './import-graph.js';
import { byPlainOrder } from './plain-order.js';
import { stronglyConnectedComponents } from './strongly-connected.js';

type ScopeStrategy = AnalysisReport['scopeStrategy'];

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Wave of each component: after every component it imports. Components arrive dependencies first. */
function layerComponents(components: readonly string[][], successors: ReadonlyMap<string, readonly string[]>): string[][] {
  const waveOf = new Map<string, number>();
  const waves: string[][] = [];
  for (const component of components) {
    let wave = 0;
    for (const member of component) {
      for (const target of successors.get(member) ?? []) {
        if (!component.includes(target)) wave = Math.max(wave, waveOf.get(target)! + 1);
      }
    }
    for (const member of component) waveOf.set(member, wave);
    (waves[wave] ??= []).push(...component);
  }
  return waves.map((members) => members.sort(byPlainOrder));
}

function describe(waves: readonly string[][], cycles: readonly string[][], named: boolean): string {
  let summary: string;
  const first = waves[0] ?? [];
  if (waves.length === 0) summary = 'No modules found: treat the repository as one unit';
  else if (waves.length === 1) {
    summary = first.length === 1 ? `Single wave: 1 module (${first[0]})` : `Single wave: ${plural(first.length, 'independent module')} can change in parallel`;
  } else {
    const later = waves.slice(1).map((members, offset) => `wave ${offset + 2} (${members.join(', ')})`);
    summary = `Multi-wave: ${plural(first.length, 'independent module')} in wave 1, integration in ${later.join(', ')}`;
  }
  for (const cycle of cycles) summary += `; ${cycle.join(' and ')} import each other, so they share a wave and need one agreed contract`;
  if (!named && waves.length > 0) summary += ' (the request names no module, so every module is in scope)';
  return summary;
}

/**
 * Groups the affected modules into waves by the import graph restricted to them: a module
 * that imports another affected module changes after it; import cycles share one wave.
 */
export function planScopeStrategy(affected: readonly string[], edges: readonly ImportEdge[], named: boolean): ScopeStrategy {
  const members = new Set(affected);
  const successors = new Map<string, string[]>();
  for (const edge of edges) {
    if (!members.has(edge.from) || !members.has(edge.to)) continue;
    const targets = successors.get(edge.from) ?? [];
    targets.push(edge.to);
    successors.set(edge.from, targets);
  }
  const components = stronglyConnectedComponents([...affected].sort(byPlainOrder), successors);
  const cycles = components.filter((component) => component.length > 1).map((component) => [...component].sort(byPlainOrder));
  cycles.sort((left, right) => byPlainOrder(left[0]!, right[0]!));
  const waves = layerComponents(components, successors);
  return { summary: describe(waves, cycles, named), waves };
}
