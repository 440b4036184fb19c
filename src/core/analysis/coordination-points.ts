import type { AnalysisReport } from './types.js';
import type { ImportEdge } from './import-graph.js';
import { byPlainOrder } from './plain-order.js';

type CoordinationPoint = AnalysisReport['coordinationPoints'][number];

function plural(count: number): string {
  return `${count} import${count === 1 ? '' : 's'}`;
}

/** Every pair of affected modules joined by imports: whoever changes them must agree on the interface between them. */
export function findCoordinationPoints(affected: readonly string[], edges: readonly ImportEdge[]): CoordinationPoint[] {
  const members = new Set(affected);
  const counts = new Map<string, number>();
  for (const edge of edges) if (members.has(edge.from) && members.has(edge.to)) counts.set(`${edge.from}\0${edge.to}`, edge.imports);
  const pairs = new Map<string, [string, string]>();
  for (const edge of edges) {
    if (!members.has(edge.from) || !members.has(edge.to)) continue;
    const pair: [string, string] = byPlainOrder(edge.from, edge.to) < 0 ? [edge.from, edge.to] : [edge.to, edge.from];
    pairs.set(pair.join('\0'), pair);
  }
  const points: CoordinationPoint[] = [];
  for (const [left, right] of [...pairs.values()].sort((first, second) => byPlainOrder(first[0], second[0]) || byPlainOrder(first[1], second[1]))) {
    const forward = counts.get(`${left}\0${right}`) ?? 0;
    const backward = counts.get(`${right}\0${left}`) ?? 0;
    let description: string;
    if (forward && backward) {
      description = `${left} and ${right} import each other (${left} -> ${right}: ${plural(forward)}, ${right} -> ${left}: ${plural(backward)}): agree on the interfaces between them before changing both`;
    } else {
      const [importer, imported] = forward ? [left, right] : [right, left];
      description = `${importer} imports ${imported} (${plural(forward || backward)}): agree on ${imported}'s exported interface before changing both`;
    }
    points.push({ modules: [left, right], description });
  }
  return points;
}
