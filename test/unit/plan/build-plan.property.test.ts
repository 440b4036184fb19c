import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../src/core/plan/build-plan.js';
import { objectiveInputSchema, type Objective } from '../../../src/core/plan/objective-schema.js';
import { entriesOverlap } from '../../../src/core/scope/overlap.js';
import { parseScopeEntry, type ScopeEntry } from '../../../src/core/scope/scope-entry.js';
import { emptyRepoPaths } from '../../../src/core/scope/repo-paths.js';

const scopeTexts = [
  'src/', 'src/a/', 'src/b/', 'src/a/x.ts', 'src/b/y.ts', 'src/*.ts', 'src/**/*.test.ts', 'lib/', 'lib/**',
  'docs/*.md', 'test/', '**/*.test.ts', 'README.md', 'src/a/**', 'lib/c.js', 'src/{a,b}/index.ts', 'tools/[xy].sh',
];

/** Random objective graphs: dependencies only point to earlier objectives, so there is never a cycle. */
const planArbitrary = fc.integer({ min: 1, max: 40 }).chain((count) =>
  fc.tuple(
    ...Array.from({ length: count }, (_unused, index) =>
      fc.record({
        touch: fc.uniqueArray(fc.constantFrom(...scopeTexts), { minLength: 1, maxLength: 3 }),
        dependsOn: index === 0 ? fc.constant<number[]>([]) : fc.uniqueArray(fc.integer({ min: 0, max: index - 1 }), { maxLength: 3 }),
      }),
    ),
  ),
);

function objectives(spec: { touch: string[]; dependsOn: number[] }[]): Objective[] {
  // Shuffle input order deterministically so dependants sometimes come before their dependencies.
  const ids = spec.map((_unused, index) => `o${index}`);
  const built = spec.map((item, index) =>
    objectiveInputSchema.parse({ id: ids[index], title: `objective ${index}`, scopeTouch: item.touch, dependsOn: item.dependsOn.map((dependency) => ids[dependency]) }),
  );
  return built.reverse();
}

const parsed = (raw: string): ScopeEntry => {
  const result = parseScopeEntry(raw, emptyRepoPaths);
  if (!result.ok) throw new Error(result.message);
  return result.entry;
};

describe('wave assignment properties', () => {
  it('no wave holds two overlapping scopes, dependencies come first, every objective is placed once', () => {
    fc.assert(
      fc.property(planArbitrary, (spec) => {
        const input = objectives(spec);
        const plan = buildPlan({ objectives: input, repo: emptyRepoPaths, globalForbid: ['.git/'] });
        expect(plan.problems.filter((problem) => problem.severity === 'error')).toEqual([]);

        const placed = plan.waves.flatMap((wave) => wave.objectives);
        expect(placed.sort()).toEqual(input.map((objective) => objective.id).sort());
        expect(new Set(placed).size).toBe(placed.length);

        const waveOf = new Map(plan.objectives.map((objective) => [objective.id, objective.wave]));
        for (const objective of plan.objectives) {
          for (const dependency of objective.dependsOn) expect(waveOf.get(dependency)!).toBeLessThan(objective.wave);
        }
        for (const wave of plan.waves) {
          const members = wave.objectives.map((id) => plan.objectives.find((objective) => objective.id === id)!);
          for (let left = 0; left < members.length; left += 1) {
            for (let right = left + 1; right < members.length; right += 1) {
              for (const a of members[left]!.scopeTouch) {
                for (const b of members[right]!.scopeTouch) {
                  expect(entriesOverlap(parsed(a), parsed(b)), `wave ${wave.wave}: ${members[left]!.id}:${a} vs ${members[right]!.id}:${b}`).toBe(false);
                }
              }
            }
          }
        }
        // Every wave after the first exists for a reason: no empty waves.
        for (const wave of plan.waves) expect(wave.objectives.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
