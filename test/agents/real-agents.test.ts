import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TempRepo } from '../helpers/temp-repo.js';
import { textOf, type ServerConnection } from '../helpers/stdio-server.js';
import { startRun, waitForRunEnd, objectiveOf, recordedWorkerPids, isProcessAlive } from '../helpers/run-helpers.js';
import { agentWorkers, apReply, objectiveIdIn, startAgentTestBed, type AgentTestBed } from './agent-team.js';
import type { ScriptStep } from './scripted-model-server.js';

/**
 * The real Codex, Claude Code and Gemini CLIs, installed from npm, each pointed at the scripted
 * model endpoint, run one plan together with a built-in worker: all in the same wave, each in its
 * own worktree. One real agent writes outside its scope and is caught.
 */
describe('real agent CLIs in one wave', () => {
  const scripts: Record<string, ScriptStep[]> = {
    cx: [
      { shell: 'mkdir -p alpha && echo "from codex" > alpha/codex.txt' },
      { write: { path: 'alpha/patched.txt', content: 'patched by codex\n' } },
      { message: apReply('alpha/codex.txt and alpha/patched.txt', 'feat(alpha): add codex files') },
    ],
    cl: [
      { shell: 'mkdir -p beta && echo "from claude" > beta/claude.txt' },
      { write: { path: 'beta/written.txt', content: 'written by claude\n' } },
      { message: apReply('beta files', 'feat(beta): add claude files') },
    ],
    gm: [
      { shell: 'mkdir -p gamma && echo "from gemini" > gamma/gemini.txt' },
      { write: { path: 'gamma/written.txt', content: 'written by gemini\n' } },
      { message: apReply('gamma files', 'feat(gamma): add gemini files') },
    ],
    rogue: [
      { shell: 'mkdir -p epsilon && echo inside > epsilon/inside.txt && echo outside > forbidden.txt' },
      { message: apReply('epsilon/inside.txt', 'feat(epsilon): add inside file') },
    ],
  };
  let bed: AgentTestBed;
  let repo: TempRepo;
  let server: ServerConnection;
  let runId: string;

  beforeAll(async () => {
    bed = await startAgentTestBed({
      files: { 'README.md': '# Agents\n', 'alpha/.keep': '', 'beta/.keep': '', 'gamma/.keep': '', 'delta/.keep': '', 'epsilon/.keep': '' },
      model: { scriptFor: (prompt) => scripts[objectiveIdIn(prompt) ?? ''] },
      team: (url, home) => {
        const workers = agentWorkers(url, home, { codex: { maxConcurrent: 2 } });
        return { maxAttempts: 1, workers: [workers.codex, workers.claude, workers.gemini, { id: 'builtin-1', agent: 'builtin' }] };
      },
    });
    ({ repo, server } = bed);
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'team');
    runId = await startRun(server, repo.root, [
      { id: 'cx', title: 'Codex writes alpha', scopeTouch: ['alpha/'], agent: 'codex-1' },
      { id: 'cl', title: 'Claude writes beta', scopeTouch: ['beta/'], agent: 'claude-1' },
      { id: 'gm', title: 'Gemini writes gamma', scopeTouch: ['gamma/'], agent: 'gemini-1' },
      { id: 'bi', title: 'Built-in writes delta', scopeTouch: ['delta/'], agent: 'builtin-1', edits: [{ op: 'write', path: 'delta/builtin.txt', content: 'built in\n' }] },
      { id: 'rogue', title: 'Codex writes epsilon', scopeTouch: ['epsilon/'], agent: 'codex' },
    ]);
  }, 120_000);

  afterAll(async () => bed?.close());

  it('runs every agent in the same wave and merges exactly the in-scope files', async () => {
    const status = await waitForRunEnd(server, runId, 240_000);
    expect(status.waves).toHaveLength(1);
    for (const id of ['cx', 'cl', 'gm', 'bi']) expect(objectiveOf(status, id).state, `${id}: ${objectiveOf(status, id).error}`).toBe('merged');
    const files = repo.git('ls-tree', '-r', '--name-only', `ap/${runId}`).trim().split('\n');
    expect(files).toEqual(expect.arrayContaining(['alpha/codex.txt', 'alpha/patched.txt', 'beta/claude.txt', 'beta/written.txt', 'gamma/gemini.txt', 'gamma/written.txt', 'delta/builtin.txt']));
    expect(files).not.toContain('forbidden.txt');
    expect(files).not.toContain('epsilon/inside.txt');
    expect(repo.git('show', `ap/${runId}:alpha/patched.txt`)).toBe('patched by codex\n');
    expect(repo.git('show', `ap/${runId}:beta/written.txt`)).toBe('written by claude\n');
    expect(repo.git('show', `ap/${runId}:gamma/written.txt`)).toBe('written by gemini\n');
    expect(repo.git('rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main');
  });

  it('catches the real agent that wrote outside its scope and does not merge it', async () => {
    const status = await waitForRunEnd(server, runId, 240_000);
    const rogue = objectiveOf(status, 'rogue');
    expect(rogue.state).toBe('failed');
    expect(rogue.violations.map((violation) => violation.file)).toEqual(['forbidden.txt']);
    const report = await server.call('report', { runId });
    expect(textOf(report)).toContain('Scope violations:\n- rogue: forbidden.txt is outside SCOPE_TOUCH (not merged)');
  });

  it('records commands, file changes, messages and token use from each agent', async () => {
    await waitForRunEnd(server, runId, 240_000);
    const database = new Database(join(repo.root, '.ap/orchestrator.db'), { readonly: true });
    try {
      const activities = database
        .prepare<[string], { payload_json: string }>("SELECT payload_json FROM events WHERE run_id = ? AND type = 'worker_activity'")
        .all(runId)
        .map((row) => JSON.parse(row.payload_json) as { worker_id: string; activity_type: string; tool_name: string | null; command: string | null; exit_code: number | null; file_path: string | null; usage: { inputTokens: number } | null });
      const kinds = (worker: string) => new Set(activities.filter((item) => item.worker_id === worker).map((item) => item.activity_type));
      for (const kind of ['command', 'file_change', 'message', 'usage']) expect(kinds('codex-1')).toContain(kind);
      for (const kind of ['tool_use', 'command', 'file_change', 'message', 'usage', 'completed']) expect(kinds('claude-1'), 'claude-1').toContain(kind);
      for (const kind of ['tool_use', 'command', 'file_change', 'message', 'usage', 'completed']) expect(kinds('gemini-1'), 'gemini-1').toContain(kind);
      expect(activities.some((item) => item.worker_id === 'codex-1' && item.activity_type === 'command' && item.command?.includes('codex.txt'))).toBe(true);
      // Both scripted commands print nothing and succeed: exit code 0 is known for certain.
      expect(activities.some((item) => item.worker_id === 'claude-1' && item.activity_type === 'command' && item.command?.includes('claude.txt') && item.exit_code === 0)).toBe(true);
      expect(activities.some((item) => item.worker_id === 'gemini-1' && item.activity_type === 'command' && item.command?.includes('gemini.txt') && item.exit_code === 0)).toBe(true);
      // The agents write to absolute paths in their worktree; the file change names the repo path.
      expect(activities.some((item) => item.worker_id === 'claude-1' && item.activity_type === 'file_change' && item.tool_name === 'Write' && item.file_path === 'beta/written.txt')).toBe(true);
      expect(activities.some((item) => item.worker_id === 'gemini-1' && item.activity_type === 'file_change' && item.tool_name === 'write_file' && item.file_path === 'gamma/written.txt')).toBe(true);

      const attempts = database
        .prepare<[string], { objective_id: string; input_tokens: number | null; output_tokens: number | null; session_id: string | null }>('SELECT objective_id, input_tokens, output_tokens, session_id FROM attempts WHERE run_id = ?')
        .all(runId);
      for (const id of ['cx', 'cl', 'gm']) {
        const attempt = attempts.find((row) => row.objective_id === id)!;
        expect(attempt.input_tokens, id).toBeGreaterThan(0);
        expect(attempt.output_tokens, id).toBeGreaterThan(0);
        expect(attempt.session_id, id).toBeTruthy();
      }
      // Per worker, too: the dashboard's worker cards read these.
      const metrics = database
        .prepare<[string], { payload_json: string }>("SELECT payload_json FROM events WHERE run_id = ? AND type = 'worker_metrics' ORDER BY seq")
        .all(runId)
        .map((row) => JSON.parse(row.payload_json) as { worker_id: string; input_tokens: number; output_tokens: number });
      for (const worker of ['codex-1', 'claude-1', 'gemini-1']) {
        const latest = metrics.filter((item) => item.worker_id === worker).at(-1);
        expect(latest?.input_tokens, worker).toBeGreaterThan(0);
        expect(latest?.output_tokens, worker).toBeGreaterThan(0);
      }
    } finally {
      database.close();
    }
    const report = (await server.call('report', { runId })).structuredContent as { usage: { total: { inputTokens: number | null } } };
    expect(report.usage.total.inputTokens).toBeGreaterThan(0);
  });

  it('leaves no agent process running', async () => {
    await waitForRunEnd(server, runId, 240_000);
    for (const pid of recordedWorkerPids(repo.root, runId)) expect(isProcessAlive(pid), `pid ${pid}`).toBe(false);
  });
});

/** A refused key ends each real agent's attempt at once, with what to do about it. */
describe('real agent CLIs with a refused key', () => {
  let bed: AgentTestBed;

  beforeAll(async () => {
    bed = await startAgentTestBed({
      files: { 'README.md': '# Keys\n', 'alpha/.keep': '', 'beta/.keep': '', 'gamma/.keep': '' },
      model: { scriptFor: () => undefined, failStatus: 401 },
      team: (url, home) => {
        const workers = agentWorkers(url, home);
        return { maxAttempts: 1, workers: [workers.codex, workers.claude, workers.gemini] };
      },
    });
  }, 60_000);

  afterAll(async () => bed?.close());

  it('fails each objective quickly and says how to log in or set the key', async () => {
    const { server, repo } = bed;
    const started = Date.now();
    const runId = await startRun(server, repo.root, [
      { id: 'cx', title: 'Codex', scopeTouch: ['alpha/'], agent: 'codex-1' },
      { id: 'cl', title: 'Claude', scopeTouch: ['beta/'], agent: 'claude-1' },
      { id: 'gm', title: 'Gemini', scopeTouch: ['gamma/'], agent: 'gemini-1' },
    ]);
    const status = await waitForRunEnd(server, runId, 120_000);
    // Codex and Claude Code would retry a refused key for minutes on their own.
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(objectiveOf(status, 'cx').error).toMatch(/^Codex \(worker "codex-1"\) has no working credentials: .*401.* Run `codex login`, or list OPENAI_API_KEY/);
    expect(objectiveOf(status, 'cl').error).toMatch(/^Claude Code \(worker "claude-1"\) has no working credentials: .*401.* Run `claude` once and log in/);
    expect(objectiveOf(status, 'gm').error).toMatch(/^Gemini CLI \(worker "gemini-1"\) has no working credentials: .*API key not valid.* Run `gemini` once and sign in/);
    for (const id of ['cx', 'cl', 'gm']) expect(objectiveOf(status, id).state).toBe('failed');
    for (const pid of recordedWorkerPids(repo.root, runId)) expect(isProcessAlive(pid), `pid ${pid}`).toBe(false);
  });
});
