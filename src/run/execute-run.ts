import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { PlannedObjectiveRecord } from '../core/plan/coordination-plan.js';
import { checkChanges } from '../core/scope/check-changes.js';
import type { RunObjectiveRow, ScopeViolation } from '../store/run-records.js';
import { executeObjective, noChangesMessage, type ObjectiveOutcome } from './execute-objective.js';
import type { TreeChange } from './repo-git.js';
import type { WaveChanges } from './worktree-lanes.js';
import { emit, now, objectiveBranch, type RunContext } from './run-context.js';
import { processStartTime } from './process-janitor.js';
import { runVerify } from './run-verify.js';
import { changedPaths, takeSnapshot } from './shared-tree-snapshot.js';

/**
 * Runs the plan's waves in order, from the first one not done (so a resumed run picks up where
 * it stopped). Every state change is written to SQLite before the engine acts on it.
 */
export async function executeWaves(context: RunContext): Promise<void> {
  const { store, runId, plan } = context;
  const byId = new Map(plan.objectives.map((objective) => [objective.id, objective]));
  const waves = store.runs.waves(runId);
  const firstWave = waves.find((wave) => wave.status !== 'done' && wave.status !== 'rolled_back');
  const firstSize = plan.waves.find((wave) => wave.wave === firstWave?.wave)?.objectives.length ?? 0;
  const [, integrationRef] = await Promise.all([context.git?.pruneWorktrees(), context.integrationBranch ? context.git!.refCommit(context.integrationBranch) : null, context.git?.worktreeLayout()]);
  let integrationHead = integrationRef ?? null;
  const firstBase = firstWave?.status === 'pending' || !firstWave?.baseCommit ? integrationHead : firstWave.baseCommit;
  // The first wave's worktrees are registered before the workers are started (here, or by git in
  // another process meanwhile): each start blocks this process for its fork.
  const prepared = context.lanes && firstBase ? context.lanes.prepare(Math.min(firstSize, context.dispatcher.capacity()), firstBase) : undefined;
  void context.dispatcher.warm?.(firstSize);
  await prepared;

  let movingAhead: Promise<void> | undefined;
  try {
    await runWaves();
  } finally {
    // The lanes are not touched again (the session docs take one) before they have moved.
    await movingAhead;
  }

  async function runWaves(): Promise<void> {
    for (const wave of waves) {
      if (wave.status === 'done' || wave.status === 'rolled_back') continue;
      await movingAhead;
      if (context.signal.aborted) return;
      const waveBase = wave.status === 'pending' || !wave.baseCommit ? integrationHead : wave.baseCommit;
      store.runs.updateWave(runId, wave.wave, { status: 'running', baseCommit: waveBase, startedAt: wave.startedAt ?? now() });
      store.runs.update(runId, { currentWave: wave.wave, phase: 'execute' });
      const members = plan.waves.find((candidate) => candidate.wave === wave.wave)?.objectives.map((id) => byId.get(id)!) ?? [];
      emit(context, 'wave_started', { wave: wave.wave, objectives: members.map((objective) => objective.id), base_commit: waveBase });
      // The base's tree is listed while the wave runs, for the commits written at its end.
      if (waveBase && context.mode === 'worktree') context.git?.preloadTree(waveBase);

      // Rows one by one: the wave's and its dependencies', not the whole run's at every wave.
      const rows = new Map<string, RunObjectiveRow | undefined>();
      const rowOf = (id: string) => {
        if (!rows.has(id)) rows.set(id, store.runs.objective(runId, id));
        return rows.get(id);
      };
      const runnable = members.filter((objective) => {
        const row = rowOf(objective.id)!;
        if (row.state === 'merged' || row.state === 'blocked' || row.state === 'failed' || row.state === 'no_changes') return false;
        const unmet = objective.dependsOn.filter((dependency) => rowOf(dependency)?.state !== 'merged');
        if (unmet.length > 0) {
          block(context, objective, `Blocked: ${unmet.map((id) => `"${id}"`).join(', ')} did not merge.`);
          return false;
        }
        return true;
      });

      const before = context.mode === 'shared-tree' ? await takeSnapshot(context.repo) : undefined;
      const outcomes = await Promise.all(
        runnable.map(async (objective): Promise<[PlannedObjectiveRecord, ObjectiveOutcome]> => {
          const row = rowOf(objective.id)!;
          if (row.state === 'succeeded' && row.commitSha && context.mode === 'worktree') {
            // Finished before an interruption: its commit is on its branch, checked; only the merge is left.
            const changes = await context.git!.changes(waveBase!, row.commitSha);
            return [objective, { state: 'succeeded', head: row.commitSha, changes }];
          }
          try {
            return [objective, await executeObjective(context, objective, waveBase)];
          } catch (error) {
            // A git failure in one objective's worktree fails that objective, not the run.
            const message = `The orchestrator could not prepare or record this objective: ${(error as Error).message}`;
            context.log.warn(`objective ${objective.id}: ${message}`);
            store.runs.updateObjective(runId, objective.id, { state: 'failed', error: message, finishedAt: now() });
            emit(context, 'objective_finished', { objective_id: objective.id, wave: objective.wave, state: 'failed', error: message, files: [] });
            return [objective, { state: 'failed' }];
          }
        }),
      );
      if (context.signal.aborted) return;
      if (wave === waves[waves.length - 1]) context.workersDone?.();
      for (const [objective, outcome] of outcomes) if (outcome.state !== 'succeeded') blockDependants(context, objective.id);

      if (context.mode === 'shared-tree') {
        await attributeSharedTreeChanges(context, before!, outcomes);
        await verifyWave(context, wave.wave, outcomes.filter(([, outcome]) => outcome.state === 'succeeded').map(([objective]) => objective), null, null);
        continue;
      }

      const succeeded = outcomes.filter(([, outcome]) => outcome.state === 'succeeded');
      store.runs.updateWave(runId, wave.wave, { status: 'merging' });
      store.runs.update(runId, { phase: 'merge' });
      let merged = waveBase!;
      const work: WaveChanges = {
        base: waveBase!,
        heads: new Set(succeeded.map(([, outcome]) => outcome.head!)),
        changes: succeeded.flatMap(([, outcome]) => outcome.changes ?? []),
        contents: new Map(succeeded.flatMap(([, outcome]) => [...(outcome.contents ?? new Map<string, Buffer>())])),
      };
      if (succeeded.length > 0) {
        for (const [, outcome] of succeeded) context.git!.noteAttributes(outcome.changes!);
        const merging = context.git!.mergeWave(
          waveBase!,
          succeeded.map(([objective, outcome]) => ({ branch: objectiveBranch(runId, objective.id), head: outcome.head!, changes: outcome.changes as TreeChange[] })),
          `ap: merge wave ${wave.wave} (${succeeded.map(([objective]) => objective.id).join(', ')})`,
        );
        // While git merges and the merge is recorded, the worktrees take on the wave's files (a wave
        // rolled back sends them back). The next wave waits for them. After the last wave, one
        // worktree is left for the session docs and the others start going.
        work.tree = merging.then(
          (commit) => context.git!.treeOf(commit),
          () => undefined,
        );
        if (wave === waves[waves.length - 1]) context.lanes?.discardIdle(1);
        else movingAhead = context.lanes?.moveAhead(work);
        merged = await merging;
      }
      if (await verifyWave(context, wave.wave, succeeded.map(([objective]) => objective), waveBase, merged)) {
        integrationHead = merged;
        context.lanes?.noteMerge({ ...work, merged });
      }
      // The wave's objective branches (the integration branch's move wrote them, when it moved).
      await context.git!.flushBranches();
    }
  }
}

/** Runs the verify gate on the merged wave; advances the integration branch only when it passes. */
async function verifyWave(context: RunContext, waveNumber: number, succeeded: PlannedObjectiveRecord[], waveBase: string | null, merged: string | null): Promise<boolean> {
  const { store, runId } = context;
  const verify = context.config.verify;
  let result = null;
  if (verify && succeeded.length > 0) {
    store.runs.updateWave(runId, waveNumber, { status: 'verifying' });
    store.runs.update(runId, { phase: 'verify' });
    emit(context, 'phase_started', { phase: 'verify', wave: waveNumber, command: verify.command });
    const cwd = context.mode === 'worktree' ? await integrationWorktree(context, merged!) : context.repo;
    result = await runVerify(verify.command, cwd, verify.timeoutSeconds, context.signal, {
      // Recorded like workers, so a restart after a crash can stop a verify left running.
      started: (pid) => store.runs.recordProcess(pid, runId, 'verify', '/bin/sh', now(), processStartTime(pid)),
      exited: (pid) => store.runs.endProcess(pid, now()),
    });
    if (context.signal.aborted) return false;
  }
  if (result && !result.passed) {
    const why = `Verify failed after wave ${waveNumber} (\`${result.command}\` ${result.timedOut ? 'timed out' : `exited ${result.exitCode}`})`;
    store.runs.updateWave(runId, waveNumber, { status: 'rolled_back', verify: result, finishedAt: now() });
    for (const objective of succeeded) {
      store.runs.updateObjective(runId, objective.id, { state: 'rolled_back', error: `${why}; ${context.mode === 'worktree' ? 'the wave was rolled back' : 'the shared tree cannot be rolled back'}.` });
      emit(context, 'objective_finished', { objective_id: objective.id, wave: waveNumber, state: 'rolled_back', error: why });
      blockDependants(context, objective.id);
    }
    emit(context, 'worker_error', { worker_id: null, error: `${why}. Output:\n${result.outputTail.slice(-1500)}`, timestamp: now() });
    return false;
  }
  // The integration branch moves only now: a crash before this line leaves it at the wave base.
  if (context.integrationBranch && merged && merged !== waveBase) await context.git!.setRef(context.integrationBranch, merged, nextBranches(context, waveNumber, succeeded, merged));
  store.runs.updateWave(runId, waveNumber, { status: 'done', verify: result, finishedAt: now() });
  // Like `rolled_back`, landing is a second, final objective_finished: watchers see it happen.
  // One transaction for the wave's objectives: a wave lands at once.
  store.database.transaction(() => {
    for (const objective of succeeded) {
      const files = store.runs.objective(runId, objective.id)?.files ?? [];
      store.runs.updateObjective(runId, objective.id, { state: 'merged' });
      emit(context, 'objective_finished', { objective_id: objective.id, wave: waveNumber, state: 'merged', files, error: null });
    }
  })();
  return true;
}

/**
 * The branches the objectives of the next wave will work on, at the wave's merge: made with the
 * integration branch's move, so that readying their worktrees waits for no git. Only for those
 * that will run (pending, with every dependency merged); after the last wave, the session docs'.
 */
function nextBranches(context: RunContext, waveNumber: number, succeeded: PlannedObjectiveRecord[], merged: string): Map<string, string> {
  const { plan, runId } = context;
  const next = plan.waves.filter((wave) => wave.wave > waveNumber).sort((left, right) => left.wave - right.wave)[0];
  if (!next) return new Map([[objectiveBranch(runId, '_docs'), merged]]);
  const landing = new Set(succeeded.map((objective) => objective.id));
  const state = (id: string) => context.store.runs.objective(runId, id)?.state;
  const byId = new Map(plan.objectives.map((objective) => [objective.id, objective]));
  const runs = (id: string) => state(id) === 'pending' && (byId.get(id)?.dependsOn ?? []).every((dependency) => landing.has(dependency) || state(dependency) === 'merged');
  return new Map(next.objectives.filter(runs).map((id) => [objectiveBranch(runId, id), merged]));
}

async function integrationWorktree(context: RunContext, commit: string): Promise<string> {
  context.verifyWorktree ??= (await context.git!.createWorktrees([join(context.worktreeRoot, '_integration')], commit))[0]!;
  const worktree = context.verifyWorktree;
  await context.git!.switchWorktree(worktree, objectiveBranch(context.runId, '_verify'), commit, true);
  // Dependencies are not in git; verify commands such as `npm test` expect them where they usually are.
  const modules = join(context.repo, 'node_modules');
  if (existsSync(modules) && !existsSync(join(worktree.path, 'node_modules'))) symlinkSync(modules, join(worktree.path, 'node_modules'), 'dir');
  return worktree.path;
}

function block(context: RunContext, objective: PlannedObjectiveRecord, reason: string): void {
  context.store.runs.updateObjective(context.runId, objective.id, { state: 'blocked', error: reason, finishedAt: now() });
  emit(context, 'objective_finished', { objective_id: objective.id, wave: objective.wave, state: 'blocked', error: reason });
}

/** A failed objective blocks everything that depends on it, directly or not, right away. */
export function blockDependants(context: RunContext, failedId: string): void {
  const rows = new Map(context.store.runs.objectives(context.runId).map((row): [string, RunObjectiveRow] => [row.objectiveId, row]));
  const queue = [failedId];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const objective of context.plan.objectives) {
      if (!objective.dependsOn.includes(current)) continue;
      const state = rows.get(objective.id)?.state;
      if (state !== 'pending') continue;
      block(context, objective, `Blocked: "${current}" did not merge.`);
      rows.set(objective.id, { ...rows.get(objective.id)!, state: 'blocked' });
      queue.push(objective.id);
    }
  }
}

/** Shared-tree mode: one diff for the wave, each changed file credited to the objective whose scope holds it. */
async function attributeSharedTreeChanges(context: RunContext, before: Map<string, string>, outcomes: [PlannedObjectiveRecord, ObjectiveOutcome][]): Promise<void> {
  const after = await takeSnapshot(context.repo);
  const changed = changedPaths(before, after);
  const unclaimed = new Set(changed);
  for (const [objective, outcome] of outcomes) {
    const files = changed.filter((file) => checkChanges([file], objective.scopeTouch, []).length === 0);
    for (const file of files) unclaimed.delete(file);
    context.store.runs.updateObjective(context.runId, objective.id, { files });
    if (outcome.state === 'succeeded' && files.length === 0) {
      const row = context.store.runs.objective(context.runId, objective.id);
      const error = noChangesMessage(row?.workerId ?? 'unknown', (row?.reply?.changeSummary as string[] | undefined) ?? []);
      context.store.runs.updateObjective(context.runId, objective.id, { state: 'no_changes', error });
      emit(context, 'objective_finished', { objective_id: objective.id, wave: objective.wave, state: 'no_changes', worker_id: row?.workerId ?? null, files: [], error });
      outcome.state = 'no_changes';
      blockDependants(context, objective.id);
    }
  }
  if (unclaimed.size === 0) return;
  const violations: ScopeViolation[] = [...unclaimed].map((file) => ({ file, reason: 'outside_touch' }));
  for (const [objective, outcome] of outcomes) {
    if (outcome.state !== 'succeeded') continue;
    context.store.runs.updateObjective(context.runId, objective.id, { violations });
  }
  for (const violation of violations) emit(context, 'scope_violation', { objective_id: null, file: violation.file, reason: violation.reason, shared_tree: true });
}
