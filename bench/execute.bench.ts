/**
 * 200 objectives over 10 waves, each scripted to take 1 s, on 20 built-in workers: wall time
 * against the ideal (the sum over waves of the longest objective, given the concurrency), the
 * per-objective overhead of worktrees, commits, scope checks and merges, and peak RSS.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ToolContext } from '../src/tools/tool.js';

// The built code, as users run it (`npm run bench` builds first).
const load = async <T>(path: string): Promise<T> => (await import(new URL(`../dist/${path}`, import.meta.url).href)) as T;
const { createLogger } = await load<typeof import('../src/logger.js')>('logger.js');
const { RepoGit } = await load<typeof import('../src/run/repo-git.js')>('run/repo-git.js');
const { RunManager } = await load<typeof import('../src/run/run-manager.js')>('run/run-manager.js');
const { callTool } = await load<typeof import('../src/server/call-tool.js')>('server/call-tool.js');
const { Workspace } = await load<typeof import('../src/store/workspace.js')>('store/workspace.js');
const { WorktreeLanes } = await load<typeof import('../src/run/worktree-lanes.js')>('run/worktree-lanes.js');
const { allTools } = await load<typeof import('../src/tools/index.js')>('tools/index.js');

const waves = Number(process.env.AP_BENCH_WAVES ?? 10);
const perWave = 20;
const workers = 20;
const objectiveMs = 1000;

const timings = new Map<string, number[]>();
const timeline: string[] = [];
let timelineStart = 0;
const trace = (line: string) => {
  if (process.env.AP_BENCH_TIMELINE && timelineStart > 0) timeline.push(`${Math.round(performance.now() - timelineStart)} ${line}`);
};
let worktreesMade = 0;
const timed = (prototype: object, method: string, name = method) => {
  const target = prototype as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const original = target[method]!;
  target[method] = async function (this: unknown, ...args: unknown[]) {
    if (method === 'createWorktrees') worktreesMade += (args[0] as unknown[]).length;
    const start = performance.now();
    trace(`${name} start`);
    try {
      const pending = original.apply(this, args);
      // The part done before the call returned: for worktrees registered in this process, all of it.
      const sync = timings.get(`${name}:sync`) ?? [];
      sync.push(performance.now() - start);
      timings.set(`${name}:sync`, sync);
      return await pending;
    } finally {
      trace(`${name} end`);
      const list = timings.get(name) ?? [];
      list.push(performance.now() - start);
      timings.set(name, list);
    }
  };
};
for (const method of ['createWorktrees', 'commitWorktree', 'commitAll', 'changes', 'mergeWave', 'setRef', 'createBranch', 'removeWorktrees']) timed(RepoGit.prototype, method);
// A worktree's move to the next objective's base (by git, or in place), leftovers included.
timed(WorktreeLanes.prototype, 'reset', 'moveWorktree');
timed(WorktreeLanes.prototype, 'moveAhead');
if (process.env.AP_BENCH_TIMELINE) {
  const { CommitImporter } = await load<typeof import('../src/run/commit-importer.js')>('run/commit-importer.js');
  timed(CommitImporter.prototype, 'importCommits', 'fastImport');
}

const repo = mkdtempSync(join(tmpdir(), 'ap-bench-execute-'));
for (let module = 0; module < perWave; module += 1) {
  mkdirSync(join(repo, `m${module}`), { recursive: true });
  for (let file = 0; file < 5; file += 1) writeFileSync(join(repo, `m${module}`, `f${file}.ts`), `export const v${file} = ${file};\n`);
}
writeFileSync(join(repo, 'team.json'), JSON.stringify({ workers: Array.from({ length: workers }, (_unused, index) => ({ id: `w${index + 1}`, agent: 'builtin' })) }));
const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', ...args], { cwd: repo, stdio: 'ignore' });
git('init', '-q', '-b', 'main');
git('add', '-A');
git('commit', '-q', '-m', 'bench base');

const objectives = [];
for (let wave = 0; wave < waves; wave += 1) {
  for (let module = 0; module < perWave; module += 1) {
    objectives.push({
      id: `w${wave}-m${module}`,
      title: `Wave ${wave} module ${module}`,
      scopeTouch: [`m${module}/`],
      dependsOn: wave === 0 ? [] : [`w${wave - 1}-m${module}`],
      edits: [{ op: 'delay', ms: objectiveMs }, { op: 'write', path: `m${module}/wave${wave}.ts`, content: `export const wave = ${wave};\n` }],
    });
  }
}

const workspace = new Workspace(repo);
const runs = new RunManager(workspace, createLogger('bench', 'warn'));
const context: ToolContext = { workspace, runs, host: { progress: async () => {} }, signal: new AbortController().signal, log: createLogger('bench', 'warn') };
const call = async (name: string, args: Record<string, unknown>) => {
  const { result, structured } = await callTool(allTools.find((tool) => tool.schema.name === name)!, args, context);
  if (result.isError || !structured) throw new Error(JSON.stringify(result.content));
  return structured;
};

const analysis = await call('analyze', { repo, request: 'benchmark' });
const plan = await call('plan', { analysisId: analysis.analysisId, objectives, approve: true });
const start = performance.now();
const startMonotonicNs = process.hrtime.bigint();
timelineStart = start;
if (process.env.AP_BENCH_TIMELINE) {
  workspace.repository(repo).bus.subscribe((event) => {
    if (['wave_started', 'objective_started', 'objective_finished', 'phase_started'].includes(event.type)) trace(`${event.type} ${String(event.payload.objective_id ?? event.payload.wave ?? event.payload.phase)} ${String(event.payload.state ?? '')}`);
  });
}
const started = await call('execute', { planId: plan.planId });
await runs.waitForRun(String(started.runId), 600_000);
const wallMs = performance.now() - start;
const report = await call('report', { runId: started.runId });

const idealMs = waves * objectiveMs * Math.ceil(perWave / workers);
// The scope check is the in-memory match of each objective's changed files (from git status)
// against its scopes; its git input is part of `commit`.
const { checkChanges } = await load<typeof import('../src/core/scope/check-changes.js')>('core/scope/check-changes.js');
const checkStart = performance.now();
for (const objective of report.objectives as { id: string; files: string[] }[]) checkChanges(objective.files, [`m${objective.id.split('-m')[1]}/`], []);
const scopeCheckMs = Math.round(((performance.now() - checkStart) / (waves * perWave)) * 1000) / 1000;
const sum = (method: string) => (timings.get(method) ?? []).reduce((total, value) => total + value, 0);
const mean = (method: string) => Math.round((sum(method) / Math.max(1, (timings.get(method) ?? []).length)) * 10) / 10;
const objectivesRun = waves * perWave;
const result = {
  benchmark: 'execute',
  objectives: objectivesRun,
  waves,
  workers,
  objectiveMs,
  status: report.status,
  merged: (report.objectives as { outcome: string }[]).filter((objective) => objective.outcome === 'merged').length,
  wallMs: Math.round(wallMs),
  idealMs,
  ratio: Math.round((wallMs / idealMs) * 1000) / 1000,
  // Wall time of each step as it ran, many at once on two cores: latency, not CPU.
  overheadPerObjectiveMs: {
    worktreesMade,
    // Registration runs while the workers are spawned, which hold this process: its latency is
    // mostly theirs. The work itself, in this process, is the synchronous part.
    worktreeRegistrationAtStart: mean('createWorktrees'),
    worktreeRegistrationWork: mean('createWorktrees:sync'),
    worktreeMove: mean('moveWorktree'),
    commit: mean('commitWorktree'),
    scopeCheck: scopeCheckMs,
    mergeShare: Math.round((sum('mergeWave') / objectivesRun) * 10) / 10,
    mergePerWave: mean('mergeWave'),
    total: Math.round(((sum('createWorktrees') + sum('moveWorktree') + sum('commitWorktree') + sum('commitAll') + sum('changes') + sum('mergeWave') + sum('setRef')) / objectivesRun) * 10) / 10,
  },
  // The kernel's high-water mark of this process (the orchestrator; workers are separate processes).
  peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  targetRatio: 1.2,
  pass: report.status === 'completed' && wallMs / idealMs <= 1.2,
};
await runs.shutdown();
workspace.close();
if (process.env.AP_BENCH_KEEP) process.stderr.write(`kept ${repo}\n`);
else rmSync(repo, { recursive: true, force: true });
// The timeline's zero on the monotonic clock, to line it up with a system trace (`perf record -k CLOCK_MONOTONIC`).
if (process.env.AP_BENCH_TIMELINE) process.stderr.write(`origin ${startMonotonicNs}\n${timeline.join('\n')}\n`);
process.stdout.write(`${JSON.stringify(result)}\n`);
