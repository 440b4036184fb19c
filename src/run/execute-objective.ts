import type { PlannedObjectiveRecord } from '../core/plan/coordination-plan.js';
import { renderWorkerPrompt } from '../core/prompts/worker-prompt.js';
import { checkChanges, describeViolation } from '../core/scope/check-changes.js';
import type { ObjectiveState } from '../store/run-records.js';
import type { Activity } from '../workers/activity.js';
import type { EarlierSession } from '../workers/worker-adapter.js';
import { parseWorkerReply } from '../core/worker-reply/worker-reply.js';
import type { DispatchResult } from './objective-dispatcher.js';
import type { TreeChange } from './repo-git.js';
import { emit, now, objectiveBranch, type RunContext } from './run-context.js';
import type { Lane } from './worktree-lanes.js';

export interface ObjectiveOutcome {
  state: ObjectiveState;
  head?: string;
  changes?: TreeChange[];
  /** Contents of changed paths, when read while committing: the lanes write them at the next move. */
  contents?: ReadonlyMap<string, Buffer>;
}

/**
 * Runs one objective to an outcome: picks a worker, readies a worktree on the objective's branch
 * at the wave base, commits what the worker did, and checks every changed file against the
 * scopes. Crashes, timeouts and failures are retried on another worker up to the attempt limit,
 * in the same worktree started afresh; a scope violation or a scope request is final.
 */
export async function executeObjective(context: RunContext, objective: PlannedObjectiveRecord, waveBase: string | null): Promise<ObjectiveOutcome> {
  const held: { lane?: Lane } = {};
  try {
    return await attempts(context, objective, waveBase, held);
  } finally {
    if (held.lane) context.lanes?.give(held.lane);
  }
}

async function attempts(context: RunContext, objective: PlannedObjectiveRecord, waveBase: string | null, held: { lane?: Lane }): Promise<ObjectiveOutcome> {
  const { store, runId } = context;
  const branch = context.lanes ? objectiveBranch(runId, objective.id) : null;
  const avoid = new Set<string>();
  const maxAttempts = context.config.maxAttempts;
  let attempt = store.runs.objective(runId, objective.id)?.attempts ?? 0;
  const contracts = context.plan.contracts
    .filter((contract) => contract.providers.includes(objective.id) || contract.consumers.includes(objective.id))
    .map((contract) => contract.description);
  const prompt = renderWorkerPrompt({ ...objective, objectiveId: objective.id, effectiveForbid: objective.effectiveForbid, contracts, request: context.plan.request });

  for (;;) {
    if (context.signal.aborted) return finish(context, objective, 'cancelled', { error: 'The run was cancelled.' });
    attempt += 1;
    let chosenWorker = '';
    let unprepared: unknown;
    const result = await context.dispatcher
      .dispatch(
        {
          agent: objective.agent,
          capability: objective.edits.length > 0 ? 'scripted' : 'code',
          avoid,
          assign: async (workerId) => {
            chosenWorker = workerId;
            let cwd = context.repo;
            if (context.lanes && waveBase) {
              // The worktree is readied once a worker is free: a run holds no more of them than it has workers.
              try {
                if (held.lane) await context.lanes.reset(held.lane, branch!, waveBase);
                else held.lane = await context.lanes.take(branch!, waveBase);
              } catch (error) {
                // A worktree git cannot reset is not lent to anyone again.
                held.lane = undefined;
                unprepared = error;
                throw error;
              }
              held.lane.leftovers = 'unknown';
              cwd = held.lane.path;
            }
            store.runs.updateObjective(runId, objective.id, { state: 'running', attempts: attempt, branch, worktree: cwd, workerId, error: null, startedAt: now() });
            store.runs.startAttempt(runId, objective.id, attempt, workerId, now());
            context.metrics.started(workerId, objective.id);
            emit(context, 'objective_started', { objective_id: objective.id, title: objective.title, wave: objective.wave, worker_id: workerId, attempt, branch, worktree: cwd });
            return {
              runId,
              objectiveId: objective.id,
              attempt,
              title: objective.title,
              prompt,
              cwd,
              edits: objective.edits,
              sessions: attempt > 1 ? earlierSessions(context, objective.id) : undefined,
              signal: context.signal,
              onActivity: (activity: Activity) => {
                if (context.loggedWorkers.has(workerId)) return;
                context.metrics.activity(workerId, activity);
                emit(context, 'worker_activity', activityPayload(workerId, objective.id, activity));
              },
            };
          },
        },
        context.signal,
      )
      .catch((error: unknown): DispatchResult => {
        // A worktree git could not ready is the orchestrator's failure, not the worker's: no retry.
        if (unprepared) throw unprepared;
        return { outcome: context.signal.aborted ? 'cancelled' : 'failed', error: (error as Error).message, workerId: chosenWorker, replyText: '', reply: parseWorkerReply('') };
      });

    if (chosenWorker) {
      store.runs.finishAttempt(runId, objective.id, attempt, {
        outcome: result.outcome,
        error: result.error,
        sessionId: result.sessionId,
        inputTokens: result.usage?.inputTokens,
        outputTokens: result.usage?.outputTokens,
        costUsd: result.usage?.costUsd,
        malformedLines: result.malformedLines,
        finishedAt: now(),
      });
    }
    const reply = result.replyText ? (result.reply as unknown as Record<string, unknown>) : null;
    if (result.outcome === 'cancelled' || context.signal.aborted) {
      return finish(context, objective, 'cancelled', { error: 'The run was cancelled.', worker: chosenWorker, reply });
    }
    if (result.outcome === 'blocked') {
      return finish(context, objective, 'blocked', { error: result.error ?? 'The worker asked for a larger scope.', worker: chosenWorker, reply });
    }
    if (result.outcome !== 'completed') {
      // A worker that overran may still be writing there (an MCP worker serving other objectives is
      // restarted only once idle): the retry gets a fresh worktree, and this one is not lent again.
      if (result.outcome === 'timeout') held.lane = undefined;
      const message = (result.error ?? `The worker ended with "${result.outcome}"`).replace(/\.$/, '');
      if (chosenWorker) {
        avoid.add(chosenWorker);
        emit(context, 'worker_error', { worker_id: chosenWorker, objective_id: objective.id, error: message, attempt, outcome: result.outcome, timestamp: now() });
      }
      if (attempt < maxAttempts && context.dispatcher.canServe(objective.agent)) continue;
      return finish(context, objective, 'failed', { error: attempt > 1 ? `${message} (after ${attempt} attempts)` : message, worker: chosenWorker, reply });
    }

    const lane = held.lane;
    if (!lane) {
      // Shared-tree changes are attributed after the wave, from snapshots.
      return finish(context, objective, 'succeeded', { worker: chosenWorker, reply });
    }
    const message = `ap(${objective.id}): ${objective.title}`;
    const committed = await context.git!.commitWorktree(lane, branch!, waveBase!, message);
    const { head, changes } = committed ?? (await context.git!.commitAll(lane, waveBase!, message));
    lane.leftovers = committed?.leftovers ?? [];
    lane.settled = committed?.settled ? { commit: head, base: waveBase!, own: changes, extra: committed.settled.extra } : undefined;
    const files = changes.map((change) => change.path);
    if (files.length === 0) {
      const error = noChangesMessage(chosenWorker, result.reply.changeSummary.length > 0 ? result.reply.changeSummary : [result.replyText]);
      context.log.warn(`objective ${objective.id}: ${error}`);
      store.runs.updateObjective(runId, objective.id, { commitSha: head, files, violations: [] });
      return finish(context, objective, 'no_changes', { error, worker: chosenWorker, reply });
    }
    const violations = checkChanges(files, objective.scopeTouch, objective.effectiveForbid);
    store.runs.updateObjective(runId, objective.id, { commitSha: head, files, violations });
    if (violations.length > 0) {
      // Its branch is kept for inspection: written now, not with the wave's next ref update.
      await context.git!.flushBranches().catch((error: unknown) => context.log.warn(`writing the branch ${branch} failed`, error));
      for (const violation of violations) {
        emit(context, 'scope_violation', { objective_id: objective.id, worker_id: chosenWorker, file: violation.file, reason: violation.reason, entry: violation.entry ?? null });
        emit(context, 'worker_error', { worker_id: chosenWorker, objective_id: objective.id, error: `Scope violation: ${describeViolation(violation)}`, timestamp: now() });
      }
      return finish(context, objective, 'failed', {
        error: `Scope violation: ${violations.map(describeViolation).join('; ')}. The branch ${branch} is kept for inspection and is not merged.`,
        worker: chosenWorker,
        reply,
        files,
      });
    }
    return { ...finish(context, objective, 'succeeded', { worker: chosenWorker, reply, files }), head, changes, contents: committed?.contents };
  }
}

/**
 * A worker that says it is done and changed nothing has done nothing anyone can merge: an agent
 * whose commands all failed to start says "Done" all the same.
 */
export function noChangesMessage(workerId: string, said: readonly string[]): string {
  const words = said.join('; ').replace(/\s+/g, ' ').trim();
  return `Worker "${workerId}" said it was done but changed no file, so there is nothing to merge${words ? ` (it said: ${words.length > 200 ? `${words.slice(0, 200)}…` : words})` : ''}. Check its activity log; what depends on this objective is blocked.`;
}

/**
 * Sessions of this objective's earlier attempts, by agent kind, the latest winning, with the
 * tokens recorded against each: an agent that reports a session's running total (Codex) then
 * counts only this attempt's share.
 */
function earlierSessions(context: RunContext, objectiveId: string): Map<string, EarlierSession> {
  const sessions = new Map<string, EarlierSession>();
  for (const attempt of context.store.runs.attempts(context.runId)) {
    if (attempt.objectiveId !== objectiveId || !attempt.sessionId) continue;
    const agent = context.config.workers.find((worker) => worker.id === attempt.workerId)?.agent;
    if (!agent) continue;
    const earlier = sessions.get(agent);
    const usage = earlier?.id === attempt.sessionId ? earlier.usage : undefined;
    sessions.set(agent, {
      id: attempt.sessionId,
      usage:
        attempt.inputTokens === null && attempt.outputTokens === null
          ? usage
          : { inputTokens: (usage?.inputTokens ?? 0) + (attempt.inputTokens ?? 0), outputTokens: (usage?.outputTokens ?? 0) + (attempt.outputTokens ?? 0) },
    });
  }
  return sessions;
}

function finish(
  context: RunContext,
  objective: PlannedObjectiveRecord,
  state: ObjectiveState,
  details: { error?: string; worker?: string; reply?: Record<string, unknown> | null; files?: string[] },
): ObjectiveOutcome {
  context.store.runs.updateObjective(context.runId, objective.id, { state, error: details.error ?? null, reply: details.reply ?? null, finishedAt: now() });
  if (details.worker) context.metrics.finished(details.worker, objective.id, state === 'succeeded', details.files ?? []);
  emit(context, 'objective_finished', {
    objective_id: objective.id,
    wave: objective.wave,
    state,
    worker_id: details.worker ?? null,
    files: details.files ?? [],
    error: details.error ?? null,
    requested_scope_addition: (details.reply?.requestedScopeAddition as string[] | undefined) ?? [],
  });
  return { state };
}

/** The seed's `worker_activity` fields, plus the objective. */
export function activityPayload(workerId: string, objectiveId: string | null, activity: Activity): Record<string, unknown> {
  return {
    worker_id: workerId,
    objective_id: objectiveId,
    timestamp: activity.timestamp,
    activity_type: activity.kind,
    tool_name: activity.toolName ?? null,
    description: activity.description,
    file_path: activity.filePath ?? null,
    command: activity.command ?? null,
    exit_code: activity.exitCode ?? null,
    usage: activity.usage ?? null,
    source: activity.source,
  };
}
