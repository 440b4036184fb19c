import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entriesOverlap } from '../../../src/core/scope/overlap.js';
import { entryCoversPath } from '../../../src/core/scope/path-coverage.js';
import { parseScopeEntry, type ScopeEntry } from '../../../src/core/scope/scope-entry.js';
import { emptyRepoPaths } from '../../../src/core/scope/repo-paths.js';
import { ScopeIndex } from '../../../src/core/scope/scope-index.js';

const names = ['a', 'b', 'ab', 'src', 'x.ts', 'x.js', 'y.test.ts', '.env'];
const patterns = ['*', '*.ts', '*.js', '*.test.ts', 'a*', '*b', '[ab]', '{a,b}', '?', '**'];

const pathArbitrary = fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 4 }).map((segments) => segments.join('/'));
const entryTextArbitrary = fc.oneof(
  pathArbitrary,
  pathArbitrary.map((path) => `${path}/`),
  fc.array(fc.constantFrom(...names, ...patterns), { minLength: 1, maxLength: 4 }).map((segments) => segments.join('/')),
);

function parse(raw: string): ScopeEntry | undefined {
  const parsed = parseScopeEntry(raw, emptyRepoPaths);
  return parsed.ok ? parsed.entry : undefined;
}

describe('overlap soundness', () => {
  it('never says "disjoint" when a concrete path lies in both entries', () => {
    fc.assert(
      fc.property(entryTextArbitrary, entryTextArbitrary, fc.array(pathArbitrary, { minLength: 1, maxLength: 30 }), (left, right, paths) => {
        const a = parse(left);
        const b = parse(right);
        if (!a || !b) return;
        const witness = paths.find((path) => entryCoversPath(a, path) && entryCoversPath(b, path));
        if (witness !== undefined) expect(entriesOverlap(a, b), `${left} vs ${right}, both cover ${witness}`).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('is symmetric, and the index agrees with the pairwise check', () => {
    fc.assert(
      fc.property(fc.array(entryTextArbitrary, { minLength: 1, maxLength: 25 }), (texts) => {
        const entries = texts.map(parse).filter((entry): entry is ScopeEntry => entry !== undefined);
        const index = new ScopeIndex<number>();
        entries.forEach((entry, position) => index.add(entry, position));
        for (const probe of entries) {
          const found = new Set<number>();
          for (const stored of index.overlapping(probe)) found.add(stored.owner);
          entries.forEach((other, position) => {
            const pairwise = entriesOverlap(probe, other);
            expect(entriesOverlap(other, probe)).toBe(pairwise);
            expect(found.has(position), `${probe.raw} vs ${other.raw}`).toBe(pairwise);
          });
        }
      }),
      { numRuns: 500 },
    );
  });
});
