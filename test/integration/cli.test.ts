import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDashboardClient } from '../helpers/dashboard-client.js';
import { cliPath } from '../helpers/stdio-server.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

const cli = (args: string[], options: { input?: string } = {}) => execa(process.execPath, [cliPath, ...args], { reject: false, input: options.input ?? '' });

describe('ap-orchestrator CLI', () => {
  let repo: TempRepo;

  beforeAll(() => {
    repo = createTempRepo({ 'src/a/index.ts': "import '../b/index.js';\n", 'src/b/index.ts': 'export const b = 1;\n' });
  });
  afterAll(() => repo?.remove());

  it('runs analyze, plan and approve with --json for scripts', async () => {
    const analyzed = await cli(['analyze', '--repo', repo.root, '--request', 'Refactor a and b', '--json']);
    expect(analyzed.exitCode, analyzed.stderr).toBe(0);
    const analysis = JSON.parse(analyzed.stdout) as { analysisId: string; taskType: string };
    expect(analysis.taskType).toBe('REFACTOR');

    const objectivesFile = join(repo.root, '..', `${analysis.analysisId}-objectives.json`);
    writeFileSync(objectivesFile, JSON.stringify({ objectives: [{ id: 'a', title: 'A', scopeTouch: ['src/a/'] }, { id: 'b', title: 'B', scopeTouch: ['src/'] }] }));
    const planned = await cli(['plan', '--repo', repo.root, '--analysis', analysis.analysisId, '--objectives', objectivesFile, '--json']);
    expect(planned.exitCode, planned.stderr).toBe(0);
    const plan = JSON.parse(planned.stdout) as { planId: string; status: string; waves: unknown };
    expect(plan.waves).toEqual([{ wave: 1, objectives: ['a'] }, { wave: 2, objectives: ['b'] }]);
    expect(plan.status).toBe('draft');

    const fromStdin = await cli(['plan', '--repo', repo.root, '--analysis', analysis.analysisId, '--objectives', '-', '--json'], {
      input: JSON.stringify([{ id: 'only', title: 'Only', scopeTouch: ['src/b/index.ts'] }]),
    });
    expect(fromStdin.exitCode, fromStdin.stderr).toBe(0);

    const approved = await cli(['approve', '--repo', repo.root, '--plan', plan.planId, '--json']);
    expect(approved.exitCode, approved.stderr).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ planId: plan.planId, status: 'approved' });
  });

  it('prints human text without --json and exits 1 with the reason on a tool error', async () => {
    const analyzed = await cli(['analyze', '--repo', repo.root, '--request', 'Add a feature to b']);
    expect(analyzed.exitCode).toBe(0);
    expect(analyzed.stdout).toMatch(/^Analysis an-\d{8}-\d{6}-\w+ of /);
    const failed = await cli(['plan', '--repo', repo.root, '--analysis', 'an-missing']);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain('No analysis with id "an-missing"');
    expect(failed.stdout).toBe('');
  });

  it('has --help for every command and usage errors with exit code 2', async () => {
    for (const command of ['serve', 'analyze', 'plan', 'approve', 'execute', 'status', 'cancel', 'report', 'worker', 'demo']) {
      const help = await cli([command, '--help']);
      expect(help.exitCode).toBe(0);
      expect(help.stdout).toContain(`Usage: ap-orchestrator ${command === 'serve' ? '[serve]' : command}`);
    }
    const top = await cli(['--help']);
    expect(top.stdout).toContain('Commands:');
    const missing = await cli(['analyze', '--repo', repo.root]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('--request is required');
    const unknownFlag = await cli(['plan', '--bogus']);
    expect(unknownFlag.exitCode).toBe(2);
    expect(unknownFlag.stderr).toContain("Unknown option '--bogus'");
    const badJson = await cli(['plan', '--analysis', 'x', '--objectives', '-'], { input: '{not json' });
    expect(badJson.exitCode).toBe(2);
    expect(badJson.stderr).toContain('is not valid JSON');
  });

  it('executes a plan in the foreground and reports it from another command', async () => {
    const target = createTempRepo({ 'src/x/index.ts': 'export const x = 1;\n', 'team.json': JSON.stringify({ workers: [{ id: 'w1', agent: 'builtin' }] }) });
    try {
      const analysis = JSON.parse((await cli(['analyze', '--repo', target.root, '--request', 'Add y', '--json'])).stdout) as { analysisId: string };
      const planned = await cli(['plan', '--repo', target.root, '--analysis', analysis.analysisId, '--objectives', '-', '--approve', '--json'], {
        input: JSON.stringify([{ id: 'y', title: 'Add y', scopeTouch: ['src/x/'], edits: [{ op: 'write', path: 'src/x/y.ts', content: 'export const y = 2;\n' }] }]),
      });
      const planId = (JSON.parse(planned.stdout) as { planId: string }).planId;
      const executed = await cli(['execute', '--repo', target.root, '--plan', planId, '--json']);
      expect(executed.exitCode, executed.stderr).toBe(0);
      const report = JSON.parse(executed.stdout) as { runId: string; status: string; filesChanged: string[] };
      expect(report).toMatchObject({ status: 'completed', filesChanged: ['src/x/y.ts'] });
      expect(executed.stderr).toContain('objective_finished');
      const status = await cli(['status', '--repo', target.root, '--run', report.runId]);
      expect(status.stdout).toContain(`Run ${report.runId}: completed`);
      const again = await cli(['report', '--repo', target.root, '--run', report.runId, '--json']);
      expect(JSON.parse(again.stdout)).toMatchObject({ runId: report.runId, markdownPath: `docs/accomplishments/ACCOMPLISHMENT_${report.runId}.md` });
      const cancelled = await cli(['cancel', '--repo', target.root, '--run', report.runId]);
      expect(cancelled.stdout).toContain('Run is completed');

      // `ap-orchestrator dashboard` serves the repository's past runs on its own.
      const dashboard = spawn(process.execPath, [cliPath, 'dashboard', '--repo', target.root, '--dashboard-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let printed = '';
      dashboard.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => dashboard.on('exit', (code) => resolve(code)));
      for (let waited = 0; !/Dashboard: (\S+)/.test(printed) && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      const client = await openDashboardClient(/Dashboard: (\S+)/.exec(printed)![1]!);
      client.send({ type: 'list_runs' });
      client.send({ type: 'subscribe', run_id: report.runId, after_seq: 0 });
      expect(await client.waitFor('runs')).toMatchObject({ runs: [expect.objectContaining({ run_id: report.runId, status: 'completed' })] });
      expect(await client.waitFor('run_finished')).toMatchObject({ status: 'completed' });
      client.close();
      dashboard.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      target.remove();
    }
  });

  it('runs the demo without an API key', async () => {
    const demo = await cli(['demo', '--json', '--clean']);
    expect(demo.exitCode, demo.stderr).toBe(0);
    const summary = JSON.parse(demo.stdout) as { waves: { objectives: string[] }[]; moves: { objective: string }[] };
    expect(summary.waves).toHaveLength(3);
    expect(summary.waves.flatMap((wave) => wave.objectives)).toHaveLength(6);
    expect(summary.moves.map((move) => move.objective)).toEqual(['auth-docs']);
  });

  it.each([
    ['stdin closes', (child: ReturnType<typeof spawn>) => child.stdin!.end()],
    ['SIGTERM arrives', (child: ReturnType<typeof spawn>) => child.kill('SIGTERM')],
  ])('the stdio server exits cleanly when %s', async (_name, stop) => {
    const child = spawn(process.execPath, [cliPath, 'serve', '--repo', repo.root], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stderr!.on('data', (chunk: Buffer) => chunk.toString().includes('serving MCP') && resolve()));
    stop(child);
    expect(await exited).toBe(0);
    expect(stdout).toBe('');
  });
});
