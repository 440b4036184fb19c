import { createLogger } from '../logger.js';
import { RunManager } from '../run/run-manager.js';
import type { Workspace } from '../store/workspace.js';
import { runToolCommand } from './run-tool-command.js';

/**
 * `ap-orchestrator execute` runs in the foreground: it starts (or resumes) the run, prints its
 * events to stderr as they happen, and prints the report when it ends. Ctrl-C cancels the run.
 */
export async function runExecuteCommand(workspace: Workspace, args: { planId?: string; runId?: string; resume: boolean; team?: string; repo?: string }, json: boolean): Promise<number> {
  const runs = new RunManager(workspace, createLogger('run'));
  const log = createLogger('execute');
  let runId: string | undefined;
  let cancelWanted = false;
  const onSignal = () => {
    cancelWanted = true;
    if (runId) {
      log.warn(`cancelling ${runId} (Ctrl-C again to force)`);
      runs.cancel(runId);
    }
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  try {
    const started = args.resume ? await runs.resume(args.runId ?? '', args.repo) : await runs.start({ planId: args.planId ?? '', repo: args.repo, teamFile: args.team });
    runId = started.run.id;
    // Ctrl-C while the run was being set up: it is cancelled as soon as it exists.
    if (cancelWanted) runs.cancel(runId);
    for (const warning of started.warnings) log.warn(warning);
    const repository = workspace.findRun(runId, args.repo);
    const unsubscribe = repository.bus.subscribe((event) => {
      if (event.runId !== runId || event.type === 'worker_metrics') return;
      const payload = event.payload;
      const detail = [payload.wave && `wave ${String(payload.wave)}`, payload.objective_id, payload.state, payload.worker_id, payload.description ?? payload.error ?? payload.status]
        .filter(Boolean)
        .join(' ');
      process.stderr.write(`[${event.seq}] ${event.type} ${detail}\n`);
    });
    await runs.waitForRun(runId, Number.POSITIVE_INFINITY);
    unsubscribe();
    const finalStatus = repository.store.runs.get(runId)!.status;
    const code = await runToolCommand(workspace, 'report', { runId, repo: args.repo }, json, runs);
    return code !== 0 ? code : finalStatus === 'completed' ? 0 : 3;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    await runs.shutdown();
    workspace.close();
    return 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}
