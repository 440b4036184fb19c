import { rmSync } from 'node:fs';
import { dashboardSettings, startDashboard } from '../events/start-dashboard.js';
import { createLogger } from '../logger.js';
import { RunManager } from '../run/run-manager.js';
import { callTool } from '../server/call-tool.js';
import { Workspace } from '../store/workspace.js';
import { allTools } from '../tools/index.js';
import type { ToolContext } from '../tools/tool.js';
import { createSampleRepo, demoObjectives, demoRequest } from './sample-repo.js';

interface DemoOptions {
  clean: boolean;
  json: boolean;
  /** Serve the dashboard during the run and keep serving it until Ctrl-C. */
  watch?: boolean;
  /** Pause before executing, so a browser can open the dashboard first (milliseconds). */
  startDelayMs?: number;
}

/** Runs the cycle on a fresh sample repository with built-in workers: no API key, no network. */
export async function runDemo(options: DemoOptions): Promise<number> {
  const repo = createSampleRepo();
  const workspace = new Workspace(repo);
  const log = createLogger('demo');
  const runs = new RunManager(workspace, createLogger('run'));
  workspace.repository(repo);
  const dashboard = options.watch ? await startDashboard(workspace, { ...dashboardSettings(), enabled: true }, log) : undefined;
  const context: ToolContext = { workspace, runs, host: { progress: async () => {} }, signal: new AbortController().signal, log, dashboardUrl: dashboard?.url };
  const say = (line: string) => !options.json && process.stdout.write(`${line}\n`);
  const call = async (name: string, args: Record<string, unknown>) => {
    const tool = allTools.find((candidate) => candidate.schema.name === name)!;
    const { result, structured } = await callTool(tool, args, context);
    if (result.isError || !structured) throw new Error(`${name} failed: ${result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n')}`);
    return structured;
  };
  try {
    say(`Sample repository: ${repo}`);
    if (dashboard) say(`Dashboard: ${dashboard.url}`);
    const analysis = await call('analyze', { repo, request: demoRequest });
    say(`1. analyze -> ${String(analysis.analysisId)}: modules ${(analysis.modules as { name: string }[]).map((module) => module.name).join(', ')}; task type ${String(analysis.taskType)}`);
    const plan = await call('plan', { analysisId: analysis.analysisId, objectives: demoObjectives });
    const waves = plan.waves as { wave: number; objectives: string[] }[];
    say(`2. plan -> ${String(plan.planId)}: ${waves.map((wave) => `wave ${wave.wave} [${wave.objectives.join(', ')}]`).join(', ')}`);
    for (const move of plan.moves as { reason: string }[]) say(`   moved: ${move.reason}`);
    const approved = await call('approve', { planId: plan.planId });
    say(`3. approve -> ${String(approved.status)}`);
    if (options.startDelayMs) await new Promise((resolve) => setTimeout(resolve, options.startDelayMs));
    const started = await call('execute', { planId: plan.planId });
    const runId = String(started.runId);
    say(`4. execute -> ${runId} with ${(started.workers as unknown[]).length || 3} built-in workers`);
    const repository = workspace.findRun(runId);
    const unsubscribe = repository.bus.subscribe((event) => {
      if (event.runId !== runId) return;
      const payload = event.payload;
      if (event.type === 'wave_started') say(`   wave ${String(payload.wave)}: ${(payload.objectives as string[]).join(', ')}`);
      if (event.type === 'objective_finished') say(`     ${String(payload.objective_id)}: ${String(payload.state)}${payload.worker_id ? ` on ${String(payload.worker_id)}` : ''}${(payload.files as string[] | undefined)?.length ? ` (${(payload.files as string[]).join(', ')})` : ''}`);
    });
    await runs.waitForRun(runId, 120_000);
    unsubscribe();
    const report = await call('report', { runId });
    say(`5. report -> ${String(report.status)}: ${String(report.summary)}`);
    say(`   commit message: ${String(report.commitMessage).split('\n')[0]}`);
    say('');
    say(`Analysis:           ${repo}/${String(analysis.markdownPath)}`);
    say(`Plan:               ${repo}/${String(plan.markdownPath)}`);
    say(`Report:             ${repo}/${String(report.markdownPath)}`);
    say(`Integration branch: ${String(report.integrationBranch)} (git -C ${repo} log --oneline ${String(report.integrationBranch)})`);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ repo, analysisId: analysis.analysisId, planId: plan.planId, runId, waves, moves: plan.moves, status: report.status, integrationBranch: report.integrationBranch, filesChanged: report.filesChanged, reportPath: report.markdownPath }, null, 2)}\n`);
    }
    if (dashboard) {
      say(`\nThe dashboard keeps serving at ${dashboard.url} (Ctrl-C to stop).`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await dashboard.close();
    }
    return report.status === 'completed' ? 0 : 1;
  } finally {
    await runs.shutdown();
    workspace.close();
    if (options.clean) rmSync(repo, { recursive: true, force: true });
    else say(`The sample repository stays in ${repo}; delete it when done.`);
  }
}
