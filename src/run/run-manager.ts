import { join } from 'node:path';
import { loadConfig, type OrchestratorConfig } from '../config/load-config.js';
import { workerEnvironment } from '../config/worker-config.js';
import { ApError } from '../core/errors/ap-error.js';
import { ConfigError } from '../core/errors/config-error.js';
import { InputError } from '../core/errors/input-error.js';
import { newId } from '../core/ids.js';
import { withEffectiveForbid } from '../core/plan/build-plan.js';
import type { CoordinationPlan } from '../core/plan/coordination-plan.js';
import type { Logger } from '../logger.js';
import type { RunRow } from '../store/run-records.js';
import type { OpenRepository, Workspace } from '../store/workspace.js';
import { agentSpecs, specFor } from '../workers/adapters/agents/index.js';
import { credentialsAdvice, credentialsOf } from '../workers/adapters/agents/agent-credentials.js';
import { findExecutable } from '../workers/process/find-executable.js';
import { WorkerPool, type AdapterFactory } from '../workers/worker-pool.js';
import { LogMonitor } from '../workers/log-monitor/log-monitor.js';
import { activityPayload } from './execute-objective.js';
import { executeWaves } from './execute-run.js';
import { finalizeRun } from './finalize-run.js';
import { LocalDispatcher, type ObjectiveDispatcher } from './objective-dispatcher.js';
import { isAlive, killOrphanedWorkers, processStartTime } from './process-janitor.js';
import { RepoGit } from './repo-git.js';
import { emit, now, type RunContext } from './run-context.js';
import { WorkerMetrics } from './worker-metrics.js';
import { WorktreeLanes } from './worktree-lanes.js';

export interface StartRunOptions {
  planId: string;
  repo?: string;
  /** A team.json for this run instead of the repository's. */
  teamFile?: string;
}

interface ActiveRun {
  context: RunContext;
  controller: AbortController;
  done: Promise<void>;
  cancelPoll: NodeJS.Timeout;
}

/** Why a run's signal was aborted: the owner asked, or the server is going away. */
type StopReason = 'cancel' | 'shutdown';

/**
 * Starts runs in the background and keeps track of them. One run per repository at a time: a
 * second is refused while the first one's owner lives. Cancel works from this process or from
 * another one (the CLI) through a flag in SQLite that running engines poll.
 */
export class RunManager {
  private readonly active = new Map<string, ActiveRun>();
  private readonly cleanedRepositories = new Set<string>();
  /** Repositories with a run being set up: the check and the start happen across awaits. */
  private readonly starting = new Set<string>();

  constructor(
    private readonly workspace: Workspace,
    private readonly log: Logger,
    /** Test seam and the place for non-MCP adapters (CLI agents): agent kind -> factory. */
    private readonly adapters: Partial<Record<string, AdapterFactory>> = {},
  ) {}

  async start(options: StartRunOptions): Promise<{ run: RunRow; warnings: string[] }> {
    const found = this.workspace.findPlan(options.planId, options.repo);
    if (found.plan.status !== 'approved') {
      throw new ApError('plan_not_approved', `Plan "${options.planId}" is a draft. Review it, then call \`approve\` with planId "${options.planId}" (or plan again with approve=true).`);
    }
    const config = options.teamFile ? loadConfig(found.repo, { teamFile: options.teamFile }) : found.config;
    const plan = withEffectiveForbid(found.plan) as CoordinationPlan;
    const agentWarnings = this.checkAgents(plan, config);
    this.cleanUp(found);
    this.refuseConcurrentRun(found);
    this.starting.add(found.repo);
    try {
      const started = await this.create(found, config, plan);
      return { ...started, warnings: [...agentWarnings, ...started.warnings] };
    } finally {
      this.starting.delete(found.repo);
    }
  }

  private async create(found: OpenRepository, config: OrchestratorConfig, plan: CoordinationPlan): Promise<{ run: RunRow; warnings: string[] }> {
    const git = (await RepoGit.isRepository(found.repo)) ? new RepoGit(found.repo) : undefined;
    const warnings: string[] = [];
    const runId = newId('run');
    let baseCommit: string | null = null;
    let baseBranch: string | null = null;
    let integrationBranch: string | null = null;
    if (git) {
      baseBranch = await git.currentBranch();
      baseCommit = (await git.headCommit()) ?? (await git.emptyCommit());
      integrationBranch = `ap/${runId}`;
      await git.setRef(integrationBranch, baseCommit);
    } else {
      warnings.push('The target is not a git repository: objectives run in one shared tree, changes are attributed by scope, and violations are reported but cannot be isolated or rolled back.');
    }
    found.store.runs.create(
      {
        id: runId,
        planId: plan.planId,
        repo: found.repo,
        status: 'running',
        phase: 'execute',
        mode: git ? 'worktree' : 'shared-tree',
        currentWave: 0,
        baseCommit,
        baseBranch,
        integrationBranch,
        ownerPid: process.pid,
        config: { teamFile: config.teamFile, maxAttempts: config.maxAttempts, verify: config.verify ? { ...config.verify } : null, apply: false },
        createdAt: now(),
      },
      plan.objectives.map((objective) => ({ objectiveId: objective.id, wave: objective.wave })),
      plan.waves.map((wave) => wave.wave),
    );
    const run = found.store.runs.get(runId)!;
    this.launch(found, config, plan, run, git);
    return { run, warnings };
  }

  /** Continues an interrupted run from its first unfinished wave. */
  async resume(runId: string, repoHint?: string): Promise<{ run: RunRow; warnings: string[] }> {
    const found = this.workspace.findRun(runId, repoHint);
    if (this.active.has(runId)) throw new ApError('run_active', `Run "${runId}" is running in this server already. Follow it with \`status\`.`);
    const run = found.run;
    if (run.status === 'running' && run.ownerPid !== null && run.ownerPid !== process.pid && isAlive(run.ownerPid)) {
      throw new ApError('run_active', `Run "${runId}" is running in another process (pid ${run.ownerPid}). Follow it with \`status\`, or \`cancel\` it first.`);
    }
    if (run.status === 'completed') throw new ApError('run_finished', `Run "${runId}" completed; there is nothing to resume. See \`report\`.`);
    this.cleanUp(found);
    this.refuseConcurrentRun(found, runId);
    const config = run.config.teamFile ? loadConfig(found.repo, { teamFile: run.config.teamFile }) : found.config;
    const stored = found.store.plans.get(run.planId);
    if (!stored) throw new ApError('plan_missing', `The plan "${run.planId}" of run "${runId}" is gone from the database.`);
    const plan = withEffectiveForbid(stored) as CoordinationPlan;
    const warnings = this.checkAgents(plan, config);
    // Interrupted objectives start again cleanly; finished ones keep their results.
    for (const objective of found.store.runs.objectives(runId)) {
      if (objective.state === 'running' || objective.state === 'cancelled') found.store.runs.updateObjective(runId, objective.objectiveId, { state: 'pending' });
    }
    found.store.runs.clearCancel(runId);
    found.store.runs.update(runId, { status: 'running', ownerPid: process.pid, error: null, finishedAt: null });
    const git = run.mode === 'worktree' ? new RepoGit(found.repo) : undefined;
    const resumed = found.store.runs.get(runId)!;
    this.launch(found, config, plan, resumed, git);
    return { run: resumed, warnings };
  }

  /** Asks a run to stop. Works for runs of this process and, through SQLite, of another one. */
  cancel(runId: string, repoHint?: string): RunRow {
    const active = this.active.get(runId);
    if (active) {
      active.context.store.runs.requestCancel(runId);
      active.controller.abort('cancel' satisfies StopReason);
      return active.context.store.runs.get(runId)!;
    }
    const found = this.workspace.findRun(runId, repoHint);
    if (found.run.status !== 'running') return found.run;
    found.store.runs.requestCancel(runId);
    if (found.run.ownerPid === null || !isAlive(found.run.ownerPid)) {
      // Nobody is running it: it ends here.
      found.store.runs.update(runId, { status: 'cancelled', phase: 'done', finishedAt: now() });
    }
    return found.store.runs.get(runId)!;
  }

  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  /** Resolves when the run ends in this process, or after `timeoutMs`. */
  async waitForRun(runId: string, timeoutMs: number): Promise<void> {
    const active = this.active.get(runId);
    if (!active) return;
    if (!Number.isFinite(timeoutMs)) return active.done;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([active.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** Stops every run of this process; they are left `interrupted`, to be resumed later. */
  async shutdown(): Promise<void> {
    for (const active of this.active.values()) active.controller.abort('shutdown' satisfies StopReason);
    await Promise.all([...this.active.values()].map((active) => active.done));
  }

  private launch(found: OpenRepository, config: OrchestratorConfig, plan: CoordinationPlan, run: RunRow, git: RepoGit | undefined): void {
    const controller = new AbortController();
    const observer = {
      started: (workerId: string, pid: number, command: string) => found.store.runs.recordProcess(pid, run.id, workerId, command, now(), processStartTime(pid)),
      exited: (_workerId: string, pid: number) => found.store.runs.endProcess(pid, now()),
    };
    const pool = WorkerPool.withDefaultAdapters(config.workers, observer, this.log, config.stateDir, this.adapters);
    const dispatcher: ObjectiveDispatcher = new LocalDispatcher(pool);
    const worktreeRoot = join(config.stateDir, 'worktrees', run.id);
    const context: RunContext = {
      runId: run.id,
      repo: found.repo,
      mode: run.mode,
      store: found.store,
      bus: found.bus,
      log: this.log,
      config,
      plan,
      dispatcher,
      metrics: new WorkerMetrics(pool.workers, (payload) => found.bus.emit(run.id, 'worker_metrics', { run_id: run.id, ...payload })),
      signal: controller.signal,
      git,
      worktreeRoot,
      lanes: git ? new WorktreeLanes(git, worktreeRoot, (message) => this.log.warn(message)) : undefined,
      integrationBranch: run.integrationBranch,
      loggedWorkers: new Set(config.workers.filter((worker) => worker.enabled && worker.logPaths.length > 0).map((worker) => worker.id)),
    };
    const cancelPoll = setInterval(() => {
      if (!controller.signal.aborted && found.store.runs.isCancelRequested(run.id)) controller.abort('cancel' satisfies StopReason);
    }, 500);
    cancelPoll.unref();
    const done = this.execute(context, controller).finally(() => {
      clearInterval(cancelPoll);
      this.active.delete(run.id);
    });
    this.active.set(run.id, { context, controller, done, cancelPoll });
  }

  private async execute(context: RunContext, controller: AbortController): Promise<void> {
    const started = Date.now();
    emit(context, 'run_started', {
      plan_id: context.plan.planId,
      request: context.plan.request,
      mode: context.mode,
      integration_branch: context.integrationBranch,
      waves: context.plan.waves,
      objectives: context.plan.objectives.map((objective) => ({ id: objective.id, title: objective.title, wave: objective.wave, depends_on: objective.dependsOn, agent: objective.agent })),
      workers: context.metrics.snapshot(),
    });
    emit(context, 'phase_started', { phase: 'execute' });
    const monitor = this.monitorLogs(context);
    await monitor?.start().catch((error: unknown) => this.log.warn('the log monitor did not start', error));
    let stopping: Promise<void> | undefined;
    const stopWorkers = (escalation: { graceMs?: number; termMs?: number }) => {
      if (stopping) {
        // Asked again with shorter deadlines (the server going away after the last wave): the processes still running hurry.
        if (escalation.graceMs === undefined) return stopping;
        return Promise.all([stopping, context.dispatcher.stop(escalation).catch(() => undefined)]).then(() => undefined);
      }
      stopping = (async () => {
        await context.dispatcher.stop(escalation).catch((error: unknown) => this.log.warn('stopping workers failed', error));
        // Closing reads what the workers wrote last, so their final lines are in the run's events.
        await monitor?.close().catch((error: unknown) => this.log.warn('stopping the log monitor failed', error));
        context.metrics.stopped();
      })();
      return stopping;
    };
    // Once the last wave's objectives are done, the workers end while it merges and is reported.
    context.workersDone = () => void stopWorkers({});
    let failure: string | null = null;
    try {
      await executeWaves(context);
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
      this.log.error(`run ${context.runId} failed`, error);
      emit(context, 'worker_error', { worker_id: null, error: `The run stopped on an internal error: ${failure}`, timestamp: now() });
    }
    const reason = controller.signal.aborted ? (controller.signal.reason as StopReason) : null;
    // When the server is going away, workers get less time to end on their own.
    const escalation = reason === 'shutdown' ? { graceMs: 300, termMs: 1_200 } : {};
    // Workers, idle now, end while the report is written; the run ends once they are gone.
    const stopped = stopWorkers(escalation);
    const status = reason === 'shutdown' ? 'interrupted' : reason === 'cancel' ? 'cancelled' : failure ? 'failed' : undefined;
    try {
      await finalizeRun(context, status, failure, Date.now() - started, stopped);
    } catch (error) {
      await stopped;
      this.log.error(`finishing run ${context.runId} failed`, error);
      context.store.runs.update(context.runId, { status: 'failed', phase: 'done', error: `Finishing the run failed: ${(error as Error).message}`, finishedAt: now() });
    }
  }

  /** Follows the log files team.json names, feeding the run's events like any other activity. */
  private monitorLogs(context: RunContext): LogMonitor | undefined {
    const sources = context.config.workers
      .filter((worker) => context.loggedWorkers.has(worker.id))
      .map((worker) => ({ workerId: worker.id, patterns: worker.logPaths, format: 'auto' as const }));
    if (sources.length === 0) return undefined;
    return new LogMonitor({
      sources,
      fromStart: context.config.logsFromStart,
      cwd: context.repo,
      log: this.log,
      onActivity: (workerId, activity) => {
        context.metrics.activity(workerId, activity);
        // A worker on one objective at a time is unambiguous; with several, the log cannot say which.
        const active = context.metrics.activeObjectives(workerId);
        emit(context, 'worker_activity', activityPayload(workerId, active.length === 1 ? active[0]! : null, activity));
      },
      onError: (workerId, error) => this.log.debug(`log of ${workerId}: ${error.message}`),
    });
  }

  /**
   * Refuses a team whose CLI agents are not installed, and plans whose agent hints match no
   * worker; returns warnings for agents with neither a key nor a login (they may authenticate
   * some other way, such as a local model provider, so that alone does not stop the run).
   */
  private checkAgents(plan: CoordinationPlan, config: OrchestratorConfig): string[] {
    const enabled = config.workers.filter((worker) => worker.enabled);
    const warnings: string[] = [];
    for (const worker of enabled) {
      const spec = worker.transport === 'jsonl' ? specFor(worker.agent) : undefined;
      if (worker.transport === 'jsonl' && !spec && !this.adapters[worker.agent]) {
        throw new ConfigError(config.teamFile ?? 'team.json', 'workers', `Worker "${worker.id}" (agent ${worker.agent}) has transport "jsonl", which only the agent CLIs (${Object.keys(agentSpecs).join(', ')}) speak.`, 'Use "transport": "mcp" with the command of an MCP worker server.');
      }
      if (!spec || this.adapters[worker.agent]) continue;
      const path = workerEnvironment(worker).PATH;
      if (!findExecutable(worker.command, path, config.repo)) {
        throw new ConfigError(
          config.teamFile ?? 'team.json',
          'workers',
          `Worker "${worker.id}" needs ${spec.displayName}, but "${worker.command}" is not installed or not on PATH.`,
          `Install it (${spec.installHint}), set "command" to its full path, or disable the worker ("enabled": false). \`ap-orchestrator doctor\` shows which agents this machine has.`,
        );
      }
      const advice = credentialsAdvice(spec, worker, credentialsOf(spec, worker));
      if (advice) warnings.push(`Worker "${worker.id}" (${spec.displayName}) may not be able to log in: ${advice}`);
    }
    const problems = plan.objectives
      .filter((objective) => objective.agent !== 'auto' && !enabled.some((worker) => worker.id === objective.agent || worker.agent === objective.agent))
      .map((objective) => ({
        objective: objective.id,
        field: 'agent',
        message: `No enabled worker matches agent "${objective.agent}".`,
        fix: `Enable such a worker in team.json (workers: ${enabled.map((worker) => `${worker.id} (${worker.agent})`).join(', ')}), or plan again with agent "auto".`,
      }));
    if (problems.length > 0) throw new InputError(problems);
    return warnings;
  }

  /** Once per repository and process: kill worker processes a crashed orchestrator left behind. */
  private cleanUp(found: OpenRepository): void {
    if (this.cleanedRepositories.has(found.repo)) return;
    this.cleanedRepositories.add(found.repo);
    const killed = killOrphanedWorkers(found.store.runs);
    if (killed.length > 0) this.log.warn(`killed ${killed.length} worker process(es) left by a crashed run: ${killed.join(', ')}`);
  }

  private refuseConcurrentRun(found: OpenRepository, except?: string): void {
    if (this.starting.has(found.repo)) {
      throw new ApError('run_active', `A run is being started on ${found.repo} right now. One run per repository at a time: follow it with \`status\`, or \`cancel\` it.`);
    }
    for (const other of found.store.runs.running()) {
      if (other.id === except) continue;
      const ownedHere = this.active.has(other.id);
      const ownerAlive = other.ownerPid !== null && other.ownerPid !== process.pid && isAlive(other.ownerPid);
      if (ownedHere || ownerAlive) {
        throw new ApError(
          'run_active',
          `Run "${other.id}" is already running on ${found.repo}${ownedHere ? '' : ` (pid ${other.ownerPid})`}. One run per repository at a time: follow it with \`status\`, wait for it, or \`cancel\` it.`,
        );
      }
      found.store.runs.update(other.id, { status: 'interrupted', error: 'Its orchestrator process ended while it ran; resume it with execute {runId, resume: true}.' });
    }
  }
}
