/**
 * Orders objectives so that every one comes after what it depends on; ties keep input order.
 * Returns the order, or the ids of one cycle (first id repeated at the end) when there is one.
 */
export function dependencyOrder(
  ids: readonly string[],
  dependsOn: readonly (readonly string[])[],
): { order: number[] } | { cycle: string[] } {
  const indexById = new Map(ids.map((id, index) => [id, index]));
  const dependants: number[][] = ids.map(() => []);
  const waitingOn = ids.map(() => 0);
  dependsOn.forEach((dependencies, index) => {
    for (const dependency of new Set(dependencies)) {
      const dependencyIndex = indexById.get(dependency);
      if (dependencyIndex === undefined) continue;
      dependants[dependencyIndex]!.push(index);
      waitingOn[index]! += 1;
    }
  });
  const ready = new MinHeap();
  waitingOn.forEach((count, index) => count === 0 && ready.push(index));
  const order: number[] = [];
  while (ready.size > 0) {
    const index = ready.pop();
    order.push(index);
    for (const dependant of dependants[index]!) {
      waitingOn[dependant]! -= 1;
      if (waitingOn[dependant] === 0) ready.push(dependant);
    }
  }
  if (order.length === ids.length) return { order };
  return { cycle: findCycle(ids, dependsOn, indexById, waitingOn) };
}

function findCycle(
  ids: readonly string[],
  dependsOn: readonly (readonly string[])[],
  indexById: Map<string, number>,
  waitingOn: number[],
): string[] {
  // Every objective still waiting sits on or behind a cycle; walking dependencies from one must revisit a node.
  const start = waitingOn.findIndex((count) => count > 0);
  const positionInPath = new Map<number, number>();
  const path: number[] = [];
  let current = start;
  while (!positionInPath.has(current)) {
    positionInPath.set(current, path.length);
    path.push(current);
    const next = dependsOn[current]!.map((id) => indexById.get(id)).find((index) => index !== undefined && waitingOn[index]! > 0);
    current = next!;
  }
  // The walk follows "depends on" edges; show the cycle in dependency order: a depends on b depends on ... a.
  const cycle = path.slice(positionInPath.get(current)!).map((index) => ids[index]!);
  return [...cycle, cycle[0]!];
}

class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const items = this.items;
    items.push(value);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (items[parent]! <= value) break;
      items[index] = items[parent]!;
      index = parent;
    }
    items[index] = value;
  }

  pop(): number {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        if (left >= items.length) break;
        const right = left + 1;
        const child = right < items.length && items[right]! < items[left]! ? right : left;
        if (items[child]! >= last) break;
        items[index] = items[child]!;
        index = child;
      }
      items[index] = last;
    }
    return top;
  }
}
