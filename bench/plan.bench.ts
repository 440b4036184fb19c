/**
 * `plan` at scale: 10,000 objectives with mixed file, folder and glob scopes (and dependency
 * chains) against a 50,000-path repository. Times validation plus wave assignment.
 */
import { performance } from 'node:perf_hooks';
import type { RepoListing } from '../src/core/analysis/types.js';
import { buildPlan } from '../src/core/plan/build-plan.js';
import { objectiveInputSchema, type Objective } from '../src/core/plan/objective-schema.js';
import { repoPathsFromListing } from '../src/core/scope/repo-paths.js';

const moduleCount = 50;
const foldersPerModule = 20;
const filesPerFolder = 50;
const objectiveCount = 10_000;

/** Small deterministic generator, so every run plans the same objectives. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const next = random(42);
const pick = (count: number) => Math.floor(next() * count);
const pad = (value: number) => String(value).padStart(2, '0');

const paths: string[] = [];
for (let module = 0; module < moduleCount; module += 1)
  for (let folder = 0; folder < foldersPerModule; folder += 1)
    for (let file = 0; file < filesPerFolder; file += 1) paths.push(`mod${pad(module)}/sub${pad(folder)}/file${pad(file)}.ts`);
const listing: RepoListing = { root: '/bench', isGitRepo: true, files: paths.map((path) => ({ path, kind: 'file' as const })), warnings: [] };

function scopeEntry(): string {
  const module = `mod${pad(pick(moduleCount))}`;
  const folder = `sub${pad(pick(foldersPerModule))}`;
  const roll = next();
  if (roll < 0.5) return `${module}/${folder}/file${pad(pick(filesPerFolder * 2))}.ts`; // half of them new files
  if (roll < 0.75) return `${module}/${folder}/`;
  if (roll < 0.85) return `${module}/${folder}/*.test.ts`;
  if (roll < 0.93) return `${module}/**/*.spec${pick(10)}.ts`;
  if (roll < 0.99) return `${module}/${folder}/file{${pad(pick(50))},${pad(pick(50))}}.ts`;
  return `**/*.snap${pick(100)}`;
}

const objectives: Objective[] = Array.from({ length: objectiveCount }, (_unused, index) =>
  objectiveInputSchema.parse({
    id: `objective-${index}`,
    title: `Objective ${index}`,
    scopeTouch: Array.from({ length: 1 + pick(3) }, scopeEntry),
    dependsOn: index > 0 && next() < 0.2 ? [`objective-${pick(index)}`] : [],
  }),
);

const listingStart = performance.now();
const repo = repoPathsFromListing(listing);
const indexMs = performance.now() - listingStart;

const runs: number[] = [];
let result = buildPlan({ objectives, repo, globalForbid: ['.git/', 'node_modules/', '.env', 'dist/', 'build/', '.ap/'] });
for (let run = 0; run < 5; run += 1) {
  const start = performance.now();
  result = buildPlan({ objectives, repo, globalForbid: ['.git/', 'node_modules/', '.env', 'dist/', 'build/', '.ap/'] });
  runs.push(performance.now() - start);
}
runs.sort((a, b) => a - b);
const errors = result.problems.filter((problem) => problem.severity === 'error');
const median = runs[Math.floor(runs.length / 2)]!;
process.stdout.write(
  `${JSON.stringify({
    benchmark: 'plan',
    objectives: objectiveCount,
    repoPaths: paths.length,
    scopeEntries: objectives.reduce((sum, objective) => sum + objective.scopeTouch.length, 0),
    waves: result.waves.length,
    moves: result.moves.length,
    errors: errors.length,
    repoIndexMs: Math.round(indexMs),
    planMsMedian: Math.round(median),
    planMsMin: Math.round(runs[0]!),
    targetMs: 1000,
    pass: errors.length === 0 && median < 1000,
  })}\n`,
);
