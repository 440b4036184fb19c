/**
 * Parallel speedup with a real agent CLI: 6 independent objectives carried out by Codex against
 * the scripted model endpoint, which answers every request after a fixed 2 s. The same plan runs
 * on 1 worker and on 3 workers of the same agent, in this one process; speedup = wall(1) / wall(3).
 * AP_BENCH_AGENT=claude|gemini picks another agent.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../src/logger.js';
import { RunManager } from '../src/run/run-manager.js';
import { callTool } from '../src/server/call-tool.js';
import { Workspace } from '../src/store/workspace.js';
import { allTools } from '../src/tools/index.js';
import type { ToolContext } from '../src/tools/tool.js';
import { agentWorkers, apReply, createAgentHome, objectiveIdIn } from '../test/agents/agent-team.js';
import { startScriptedModelServer, type ScriptStep } from '../test/agents/scripted-model-server.js';

const agent = (process.env.AP_BENCH_AGENT ?? 'codex') as 'codex' | 'claude' | 'gemini';
const objectiveCount = 6;
const delayMs = 2_000;
const log = createLogger('bench', 'warn');

const scripts = new Map<string, ScriptStep[]>();
for (let index = 0; index < objectiveCount; index += 1) {
  scripts.set(`o${index}`, [{ shell: `mkdir -p m${index} && echo ${index} > m${index}/done.txt` }, { message: apReply(`m${index}/done.txt`, `feat(m${index}): add done file`) }]);
}
const model = await startScriptedModelServer({ scriptFor: (prompt) => scripts.get(objectiveIdIn(prompt) ?? ''), delayMs });
const home = createAgentHome();

async function runWith(workerCount: number): Promise<{ wallMs: number; status: unknown; merged: number; requests: number }> {
  const repo = mkdtempSync(join(tmpdir(), 'ap-bench-agents-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', ...args], { cwd: repo, stdio: 'ignore' });
  const base = agentWorkers(model.url, home.home)[agent];
  const workers = Array.from({ length: workerCount }, (_unused, index) => ({ ...base, id: `${agent}-${index + 1}` }));
  writeFileSync(join(repo, 'README.md'), '# bench\n');
  writeFileSync(join(repo, 'team.json'), JSON.stringify({ maxAttempts: 1, workers }));
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'bench base');

  const workspace = new Workspace(repo);
  const runs = new RunManager(workspace, log);
  const context: ToolContext = { workspace, runs, host: { progress: async () => {} }, signal: new AbortController().signal, log };
  const call = async (name: string, args: Record<string, unknown>) => {
    const { result, structured } = await callTool(allTools.find((tool) => tool.schema.name === name)!, args, context);
    if (result.isError || !structured) throw new Error(JSON.stringify(result.content));
    return structured;
  };
  try {
    const analysis = await call('analyze', { repo, request: 'benchmark' });
    const objectives = [...scripts.keys()].map((id, index) => ({ id, title: `Objective ${index}`, scopeTouch: [`m${index}/`], agent }));
    const plan = await call('plan', { analysisId: analysis.analysisId, objectives, approve: true });
    const requestsBefore = model.requests.length;
    const start = performance.now();
    const started = await call('execute', { planId: plan.planId });
    await runs.waitForRun(String(started.runId), 600_000);
    const wallMs = performance.now() - start;
    const report = await call('report', { runId: started.runId });
    const merged = (report.objectives as { outcome: string }[]).filter((objective) => objective.outcome === 'merged').length;
    return { wallMs: Math.round(wallMs), status: report.status, merged, requests: model.requests.length - requestsBefore };
  } finally {
    await runs.shutdown();
    workspace.close();
    rmSync(repo, { recursive: true, force: true });
  }
}

try {
  const one = await runWith(1);
  const three = await runWith(3);
  const speedup = Math.round((one.wallMs / three.wallMs) * 100) / 100;
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'agents-speedup',
      agent,
      objectives: objectiveCount,
      modelDelayMs: delayMs,
      oneWorker: one,
      threeWorkers: three,
      speedup,
      targetSpeedup: 2.7,
      pass: one.merged === objectiveCount && three.merged === objectiveCount && speedup >= 2.7,
    })}\n`,
  );
} finally {
  await model.close();
  home.remove();
}
