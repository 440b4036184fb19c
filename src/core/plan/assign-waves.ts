import { ScopeIndex } from '../scope/scope-index.js';
import type { ScopeEntry } from '../scope/scope-entry.js';

export interface WaveMove {
  objective: string;
  /** The wave its dependencies allowed. */
  fromWave: number;
  /** The wave it was placed in. */
  toWave: number;
  /** The objective already in `fromWave` whose scope collided. */
  collidedWith: string;
  entry: string;
  otherEntry: string;
  reason: string;
}

export interface WaveAssignment {
  /** 1-based wave per objective, by input index. */
  waveOf: number[];
  /** Objective indexes per wave, in placement order; waves[0] is wave 1. */
  waves: number[][];
  moves: WaveMove[];
}

/**
 * Places objectives, in dependency order, into the first wave that is after all of their
 * dependencies and holds nothing whose SCOPE_TOUCH overlaps theirs. An objective is never
 * merged with a colliding one: it moves to a later wave, and the move is recorded.
 */
export function assignWaves(
  ids: readonly string[],
  order: readonly number[],
  dependencies: readonly (readonly number[])[],
  touch: readonly (readonly ScopeEntry[])[],
): WaveAssignment {
  const waveOf: number[] = ids.map(() => 0);
  const waves: number[][] = [];
  const moves: WaveMove[] = [];
  // One index per wave: choosing a wave needs only "does anything in it collide?", which stops at the first hit.
  const indexes: ScopeIndex<number>[] = [];

  for (const objective of order) {
    let earliest = 1;
    for (const dependency of dependencies[objective]!) earliest = Math.max(earliest, waveOf[dependency]! + 1);

    let firstCollision: { entry: ScopeEntry; other: ScopeEntry; owner: number } | undefined;
    let wave = earliest;
    for (; wave <= indexes.length; wave += 1) {
      const collision = findCollision(indexes[wave - 1]!, touch[objective]!);
      if (!collision) break;
      firstCollision ??= collision;
    }

    waveOf[objective] = wave;
    if (wave > indexes.length) {
      indexes.push(new ScopeIndex<number>());
      waves.push([]);
    }
    waves[wave - 1]!.push(objective);
    for (const entry of touch[objective]!) indexes[wave - 1]!.add(entry, objective);

    if (wave > earliest && firstCollision) {
      const other = ids[firstCollision.owner]!;
      moves.push({
        objective: ids[objective]!,
        fromWave: earliest,
        toWave: wave,
        collidedWith: other,
        entry: firstCollision.entry.raw,
        otherEntry: firstCollision.other.raw,
        reason:
          `"${ids[objective]}" moved from wave ${earliest} to wave ${wave}: its scopeTouch "${firstCollision.entry.raw}" ` +
          `overlaps "${firstCollision.other.raw}" of "${other}", which is earlier in dependency/input order` +
          (wave > earliest + 1 ? ` (waves ${earliest}-${wave - 1} all held a colliding objective)` : '') +
          '.',
      });
    }
  }
  return { waveOf, waves, moves };
}

function findCollision(index: ScopeIndex<number>, entries: readonly ScopeEntry[]): { entry: ScopeEntry; other: ScopeEntry; owner: number } | undefined {
  for (const entry of entries) {
    const stored = index.findOverlap(entry);
    if (stored) return { entry, other: stored.entry, owner: stored.owner };
  }
  return undefined;
}
