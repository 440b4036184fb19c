import type { StoredEvent } from '../store/event-records.js';
import type { Workspace } from '../store/workspace.js';

export interface RunSummary {
  run_id: string;
  plan_id: string;
  repo: string;
  status: string;
  mode: string;
  created_at: string;
  finished_at: string | null;
}

/** What the dashboard server reads: live events, a run's stored events, and the list of runs. */
export interface EventSource {
  subscribe(listener: (event: StoredEvent) => void): () => void;
  replay(runId: string, afterSeq: number, limit: number): StoredEvent[] | undefined;
  runs(limit: number): RunSummary[];
}

/** Events of every repository the workspace has opened, or opens later. */
export function workspaceEventSource(workspace: Workspace): EventSource {
  const listeners = new Set<(event: StoredEvent) => void>();
  const forward = (event: StoredEvent) => {
    for (const listener of listeners) listener(event);
  };
  const subscribed = new Set<string>();
  const attach = (repository: ReturnType<Workspace['repositories']>[number]) => {
    if (subscribed.has(repository.repo)) return;
    subscribed.add(repository.repo);
    repository.bus.subscribe(forward);
  };
  for (const repository of workspace.repositories()) attach(repository);
  workspace.onRepositoryOpened(attach);
  return {
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    replay: (runId, afterSeq, limit) => {
      for (const repository of workspace.repositories()) {
        if (!repository.store.runs.get(runId)) continue;
        repository.bus.flush();
        return repository.store.events.listAfter(runId, afterSeq, limit);
      }
      return undefined;
    },
    runs: (limit) =>
      workspace
        .repositories()
        .flatMap((repository) => repository.store.runs.list(limit))
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .slice(0, limit)
        .map((run) => ({ run_id: run.id, plan_id: run.planId, repo: run.repo, status: run.status, mode: run.mode, created_at: run.createdAt, finished_at: run.finishedAt })),
  };
}
