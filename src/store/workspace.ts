import { existsSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, type ConfigOverrides, type OrchestratorConfig } from '../config/load-config.js';
import { InputError } from '../core/errors/input-error.js';
import { NotFoundError } from '../core/errors/not-found-error.js';
import type { AnalysisReport } from '../core/analysis/types.js';
import { EventBus } from '../events/event-bus.js';
import { excludeFromGit } from './git-exclude.js';
import { Store } from './store.js';

export interface OpenRepository {
  repo: string;
  config: OrchestratorConfig;
  store: Store;
  /** The repository's event stream; every event is in its store before listeners hear it. */
  bus: EventBus;
}

/**
 * The repositories this server works on: each has its own config and its own database in its
 * state folder. Ids are looked up in every repository opened so far, the default one first.
 */
export class Workspace {
  private readonly open = new Map<string, OpenRepository>();
  private readonly openedListeners = new Set<(repository: OpenRepository) => void>();

  /** Calls `listener` for every repository opened from now on (and returns how to stop). */
  onRepositoryOpened(listener: (repository: OpenRepository) => void): () => void {
    this.openedListeners.add(listener);
    return () => this.openedListeners.delete(listener);
  }

  constructor(
    public defaultRepo: string,
    private readonly overrides: ConfigOverrides = {},
    private readonly environment: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Uses `repo` (relative to the current default) as the default repository, when given. */
  withDefaultRepo(repo: string | undefined): this {
    if (repo !== undefined) this.defaultRepo = resolve(this.defaultRepo, repo);
    return this;
  }

  /** Resolves a repo argument to a real absolute folder path, or explains what to pass. */
  resolveRepo(path: string | undefined): string {
    const candidate = resolve(this.defaultRepo, path ?? '.');
    let stats;
    try {
      stats = statSync(candidate);
    } catch {
      throw new InputError([{ field: 'repo', message: `The folder ${candidate} does not exist.`, fix: 'Pass the absolute path of the repository to work on.' }]);
    }
    if (!stats.isDirectory()) {
      throw new InputError([{ field: 'repo', message: `${candidate} is not a folder.`, fix: 'Pass the repository folder, not a file in it.' }]);
    }
    return realpathSync(candidate);
  }

  /** Opens a repository's config and database, creating the state folder when needed. */
  repository(repoPath: string | undefined): OpenRepository {
    return this.openRepository(this.resolveRepo(repoPath), true)!;
  }

  private openRepository(repo: string, create: boolean): OpenRepository | undefined {
    const existing = this.open.get(repo);
    if (existing) return existing;
    const config = loadConfig(repo, this.overrides, this.environment);
    // Looking up an id must not litter a folder (the server's cwd, say) with a state folder.
    if (!create && !existsSync(join(config.stateDir, 'orchestrator.db'))) return undefined;
    const store = Store.open(join(config.stateDir, 'orchestrator.db'));
    excludeFromGit(repo, config.stateDir);
    const opened = { repo, config, store, bus: new EventBus(store.events) };
    this.open.set(repo, opened);
    for (const listener of this.openedListeners) listener(opened);
    return opened;
  }

  findAnalysis(id: string, repoHint?: string): OpenRepository & { analysis: AnalysisReport } {
    const found = this.find(repoHint, (repository) => repository.store.analyses.get(id));
    if (!found) throw new NotFoundError('analysis', id, 'Call `analyze` first and pass the analysisId it returns, or pass `repo` if the analysis was made for another repository.');
    return { ...found.repository, analysis: found.value };
  }

  findPlan(id: string, repoHint?: string): OpenRepository & { plan: NonNullable<ReturnType<Store['plans']['get']>> } {
    const found = this.find(repoHint, (repository) => repository.store.plans.get(id));
    if (!found) throw new NotFoundError('plan', id, 'Call `plan` first and pass the planId it returns, or pass `repo` if the plan was made for another repository.');
    return { ...found.repository, plan: found.value };
  }

  findRun(id: string, repoHint?: string): OpenRepository & { run: NonNullable<ReturnType<Store['runs']['get']>> } {
    const found = this.find(repoHint, (repository) => repository.store.runs.get(id));
    if (!found) throw new NotFoundError('run', id, 'Call `execute` first and pass the runId it returns, or pass `repo` if the run was made in another repository.');
    return { ...found.repository, run: found.value };
  }

  /** Every repository opened so far. */
  repositories(): OpenRepository[] {
    return [...this.open.values()];
  }

  /** The first candidate repository where `lookup` finds something. */
  private find<Value>(repoHint: string | undefined, lookup: (repository: OpenRepository) => Value | undefined): { repository: OpenRepository; value: Value } | undefined {
    for (const repository of this.candidates(repoHint)) {
      const value = lookup(repository);
      if (value !== undefined) return { repository, value };
    }
    return undefined;
  }

  /** The hinted repo, the default repo (when it is a usable folder), then every other open one. */
  private candidates(repoHint: string | undefined): OpenRepository[] {
    const list: OpenRepository[] = [];
    if (repoHint !== undefined) list.push(this.repository(repoHint));
    let defaultRepo: string | undefined;
    try {
      defaultRepo = this.resolveRepo(undefined);
    } catch {
      // The default folder may be gone; ids can still live in other open repositories.
    }
    const opened = defaultRepo === undefined ? undefined : this.openRepository(defaultRepo, false);
    if (opened && !list.includes(opened)) list.push(opened);
    for (const repository of this.open.values()) if (!list.includes(repository)) list.push(repository);
    return list;
  }

  close(): void {
    for (const repository of this.open.values()) {
      repository.bus.flush();
      repository.store.close();
    }
    this.open.clear();
  }
}
