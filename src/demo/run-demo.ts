import { rmSync } from 'node:fs';
import { createLogger } from '../logger.js';
import { callTool } from '../server/call-tool.js';
import { Workspace } from '../store/workspace.js';
import { allTools } from '../tools/index.js';
import type { ToolContext } from '../tools/tool.js';
import { createSampleRepo, demoObjectives, demoRequest } from './sample-repo.js';

interface DemoOptions {
  keep: boolean;
  json: boolean;
}

/** Runs the cycle on a fresh sample repository with built-in workers: no API key, no network. */
export async function runDemo(options: DemoOptions): Promise<number> {
  const repo = createSampleRepo();
  const workspace = new Workspace(repo);
  const log = createLogger('demo');
  const context: ToolContext = { workspace, host: { progress: async () => {} }, signal: new AbortController().signal, log };
  const say = (line: string) => !options.json && process.stdout.write(`${line}\n`);
  const call = async (name: string, args: Record<string, unknown>) => {
    const tool = allTools.find((candidate) => candidate.schema.name === name)!;
    const { result, structured } = await callTool(tool, args, context);
    if (result.isError || !structured) throw new Error(`${name} failed: ${result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n')}`);
    return structured;
  };
  try {
    say(`Sample repository: ${repo}`);
    const analysis = await call('analyze', { repo, request: demoRequest });
    say(`1. analyze -> ${String(analysis.analysisId)}: ${(analysis.modules as { name: string }[]).map((module) => module.name).join(', ')} (${String(analysis.taskType)})`);
    const plan = await call('plan', { analysisId: analysis.analysisId, objectives: demoObjectives });
    const waves = plan.waves as { wave: number; objectives: string[] }[];
    say(`2. plan -> ${String(plan.planId)}: ${waves.map((wave) => `wave ${wave.wave} [${wave.objectives.join(', ')}]`).join(', ')}`);
    for (const move of plan.moves as { reason: string }[]) say(`   moved: ${move.reason}`);
    const approved = await call('approve', { planId: plan.planId });
    say(`3. approve -> ${String(approved.status)}`);
    say(`Analysis: ${repo}/${String(analysis.markdownPath)}`);
    say(`Plan: ${repo}/${String(plan.markdownPath)}`);
    if (options.json) process.stdout.write(`${JSON.stringify({ repo, analysisId: analysis.analysisId, planId: plan.planId, waves, moves: plan.moves }, null, 2)}\n`);
    return 0;
  } finally {
    workspace.close();
    if (!options.keep) rmSync(repo, { recursive: true, force: true });
    else say(`Kept ${repo}`);
  }
}
