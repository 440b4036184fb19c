import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeWorkers } from '../../src/config/normalize-workers.js';
import { createLogger } from '../../src/logger.js';
import type { Activity } from '../../src/workers/activity.js';
import { claudeSpec } from '../../src/workers/adapters/agents/claude.js';
import { codexSpec } from '../../src/workers/adapters/agents/codex.js';
import { CliAgentAdapter } from '../../src/workers/adapters/cli-agent-adapter.js';
import type { AgentCliSpec } from '../../src/workers/adapters/agents/agent-cli-spec.js';
import type { Assignment } from '../../src/workers/worker-adapter.js';
import { eventually, isProcessAlive, processesMentioning } from '../helpers/run-helpers.js';

const fakeAgent = fileURLToPath(new URL('../fixtures/fake-agent.mjs', import.meta.url));
const fixture = (name: string) => readFileSync(new URL(`../fixtures/agent-streams/${name}`, import.meta.url), 'utf8').trim().split('\n');
const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function setup(spec: AgentCliSpec, plan: Record<string, unknown>, worker: Record<string, unknown> = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'ap-cli-adapter-'));
  folders.push(cwd);
  const [config] = normalizeWorkers([{ id: `${spec.agent}-1`, agent: spec.agent, command: fakeAgent, env: { FAKE_AGENT: JSON.stringify(plan) }, ...worker }], 'team.json', process.env);
  const pids: number[] = [];
  const adapter = new CliAgentAdapter(config!, spec, { started: (_worker, pid) => pids.push(pid), exited: () => {} }, createLogger('test', 'error'));
  const activities: Activity[] = [];
  const controller = new AbortController();
  const assignment = (extra: Partial<Assignment> = {}): Assignment => ({
    runId: 'run-1', objectiveId: 'a', attempt: 1, title: 'A', prompt: 'Do A.\n'.repeat(40_000), cwd, edits: [], timeoutMs: 20_000,
    signal: controller.signal, onActivity: (item) => activities.push(item), ...extra,
  });
  return { adapter, activities, controller, assignment, cwd, pids };
}

describe('CLI agent adapter (real child processes)', () => {
  it('runs the agent in the worktree with the prompt on stdin and reads its stream into an outcome', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ap-cli-record-'));
    folders.push(cwd);
    const record = join(cwd, 'record.json');
    const reply = 'STATUS=COMPLETED\n### Change Summary\n- wrote x\n### Commit Message\nfeat: x';
    const lines = fixture('codex-shell.jsonl').map((line) => line.replace('Done: created hello.txt', reply.replace(/\n/g, '\\n')));
    const { adapter, activities, assignment, cwd: worktree } = setup(codexSpec, { lines, recordTo: record, write: { path: 'x.txt', content: 'x' } }, { model: 'gpt-test', args: ['-c', 'a=1'] });
    const result = await adapter.run(assignment());
    expect(result).toMatchObject({ outcome: 'completed', sessionId: '01a21298-4d6e-7480-b91e-1ffe21733791', usage: { inputTokens: 22, outputTokens: 14 } });
    expect(result.reply.commitMessage).toBe('feat: x');
    const seen = JSON.parse(readFileSync(record, 'utf8')) as { argv: string[]; stdin: string; cwd: string };
    expect(seen.stdin).toHaveLength('Do A.\n'.length * 40_000);
    expect(seen.argv).toContain('--model');
    expect(seen.argv.slice(-3)).toEqual(['-c', 'a=1', '-']);
    expect(seen.cwd).toBe(realpathSync(worktree));
    expect(readFileSync(join(worktree, 'x.txt'), 'utf8')).toBe('x');
    expect(activities.map((item) => item.kind)).toContain('command');
  });

  it('skips and counts lines that are not JSON, and still completes', async () => {
    const lines = ['garbage', ...fixture('codex-shell.jsonl'), '{"truncated":', '[1]'];
    const { adapter, activities, assignment } = setup(codexSpec, { lines });
    const result = await adapter.run(assignment());
    expect(result.outcome).toBe('completed');
    expect(activities.filter((item) => item.kind === 'error').map((item) => item.description)).toContain('3 output line(s) from Codex were not JSON events and were skipped.');
    expect(result.malformedLines).toBe(3);
  });

  it('ends an agent that never finishes at the timeout, with its whole process group', async () => {
    const { adapter, assignment, pids } = setup(codexSpec, { lines: fixture('codex-nonet.jsonl'), hang: true, grandchild: true });
    const started = Date.now();
    const result = await adapter.run(assignment({ timeoutMs: 1_500 }));
    expect(result.outcome).toBe('timeout');
    expect(result.error).toMatch(/did not finish within 2 s\. Its last error: Reconnecting\.\.\. waiting for network/);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(isProcessAlive(pids[0]!)).toBe(false);
    await eventually(() => processesMentioning('sleep 600').every((pid) => !isProcessAlive(pid)), 5_000, 'the grandchild to be gone');
  });

  it('explains a run without credentials and names the fix', async () => {
    const { adapter, assignment } = setup(claudeSpec, { lines: fixture('claude-nokey.jsonl'), exitCode: 1 });
    const result = await adapter.run(assignment());
    expect(result.outcome).toBe('failed');
    expect(result.error).toContain('Claude Code (worker "claude-1") has no working credentials: Not logged in · Please run /login.');
    expect(result.error).toContain('ANTHROPIC_API_KEY');
  });

  it('reports a non-zero exit with the end of stderr', async () => {
    const { adapter, assignment } = setup(codexSpec, { lines: [], stderr: 'line one\nError: config.toml is broken\n', exitCode: 3 });
    const result = await adapter.run(assignment());
    expect(result).toMatchObject({ outcome: 'failed' });
    expect(result.error).toBe('Codex (worker "codex-1") exited with code 3: line one | Error: config.toml is broken');
  });

  it('checks once that Codex can run commands in its sandbox, and fails at once naming the cause and the fix when it cannot', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ap-codex-home-'));
    folders.push(home);
    const sandboxLog = join(home, 'sandbox.log');
    const working = setup(codexSpec, { lines: fixture('codex-shell.jsonl'), write: { path: 'x.txt', content: 'x' }, sandboxLog }, { args: ['-c', 'a=1', '--model', 'm'] });
    expect((await working.adapter.run(working.assignment())).outcome).toBe('completed');
    expect((await working.adapter.run(working.assignment())).outcome).toBe('completed');
    // One check per worker, with the worker's configuration and the sandbox it will use.
    expect(readFileSync(sandboxLog, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as string[])).toEqual([['-c', 'sandbox_mode="workspace-write"', '-c', 'a=1', '--', '/bin/sh', '-c', 'echo ap-codex-sandbox-ok && echo ap-codex-sandbox-ok > probe.txt']]);

    const sandboxFails = 'WARNING: proceeding, even though we could not create PATH aliases: Refusing to create helper binaries under temporary dir\nbwrap: execvp codex-linux-sandbox: No such file or directory';
    const env = { HOME: home, TMPDIR: tmpdir(), FAKE_AGENT: JSON.stringify({ sandboxFails, write: { path: 'y.txt', content: 'y' } }) };
    const broken = setup(codexSpec, {}, { env });
    const result = await broken.adapter.run(broken.assignment());
    expect(result.outcome).toBe('failed');
    expect(result.error).toContain('Codex (worker "codex-1") cannot run commands in its workspace-write sandbox on this machine: `codex sandbox` exited with 1 and said "');
    expect(result.error).toContain(`CODEX_HOME is ${join(home, '.codex')}, inside TMPDIR ${tmpdir()}. Give the worker a CODEX_HOME (or HOME) outside ${tmpdir()}, or a TMPDIR that does not contain it, in its "env" in team.json.`);
    // Codex itself never started: nothing was done in the worktree.
    expect(existsSync(join(broken.cwd, 'y.txt'))).toBe(false);
    expect(broken.pids).toHaveLength(0);

    // A worker without Codex's sandbox is not checked.
    const unsandboxed = setup(codexSpec, { lines: fixture('codex-shell.jsonl'), sandboxFails }, { args: ['--dangerously-bypass-approvals-and-sandbox'] });
    expect((await unsandboxed.adapter.run(unsandboxed.assignment())).outcome).toBe('completed');
  });

  it('says what to install when the command does not exist', async () => {
    const { adapter, assignment } = setup(codexSpec, {}, { command: 'ap-no-such-agent-cli' });
    const result = await adapter.run(assignment());
    expect(result.outcome).toBe('failed');
    expect(result.error).toContain('"ap-no-such-agent-cli" is not installed or not on PATH. Install it (npm install -g @openai/codex)');
  });

  it('stops the agent when the run is cancelled', async () => {
    const { adapter, assignment, controller, pids } = setup(codexSpec, { lines: [], hang: true });
    const running = adapter.run(assignment());
    await eventually(() => pids.length === 1, 5_000, 'the agent to start');
    controller.abort();
    const result = await running;
    expect(result.outcome).toBe('cancelled');
    expect(isProcessAlive(pids[0]!)).toBe(false);
  });

  it('resumes the session of an earlier attempt by the same agent', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ap-cli-record-'));
    folders.push(cwd);
    const record = join(cwd, 'record.json');
    const { adapter, assignment } = setup(claudeSpec, { lines: fixture('claude-mock.jsonl'), recordTo: record });
    const result = await adapter.run(assignment({ attempt: 2, sessions: new Map([['claude', { id: 'sess-9' }], ['codex', { id: 'other' }]]) }));
    expect(result.outcome).toBe('completed');
    const seen = JSON.parse(readFileSync(record, 'utf8')) as { argv: string[]; stdin: string };
    expect(seen.argv).toEqual(expect.arrayContaining(['--resume', 'sess-9']));
    expect(seen.stdin).toMatch(/^Your earlier attempt at this objective was discarded/);
  });

  it('starts afresh when the agent no longer has the session to resume', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ap-cli-record-'));
    folders.push(cwd);
    const record = join(cwd, 'record.json');
    // As Claude Code does it: the reason on stderr, a bare error result on stdout.
    const refusal = '{"type":"result","subtype":"error_during_execution","is_error":true,"num_turns":0,"session_id":"sess-9"}';
    const { adapter, assignment, pids } = setup(claudeSpec, { lines: fixture('claude-mock.jsonl'), recordTo: record, refuseResume: 'No conversation found with session ID: sess-9', refuseResumeStdout: [refusal] });
    const result = await adapter.run(assignment({ attempt: 2, sessions: new Map([['claude', { id: 'sess-9' }]]) }));
    expect(result.outcome).toBe('completed');
    expect(pids).toHaveLength(2);
    const seen = JSON.parse(readFileSync(record, 'utf8')) as { argv: string[]; stdin: string };
    expect(seen.argv).not.toContain('--resume');
    expect(seen.stdin).not.toMatch(/^Your earlier attempt/);
  });

  it('keeps a resumed attempt that worked and reported a failure, whatever its words', async () => {
    const reply = 'STATUS=FAILED\\n### Failure Report\\nLogin failed: session cookie not found.';
    const lines = fixture('claude-mock.jsonl').map((line) => line.replace(/Done: created hello3\.txt/g, reply));
    const { adapter, assignment, pids } = setup(claudeSpec, { lines });
    const result = await adapter.run(assignment({ attempt: 2, sessions: new Map([['claude', { id: 'sess-9' }]]) }));
    expect(result.outcome).toBe('failed');
    expect(result.error).toContain('session cookie not found');
    expect(pids).toHaveLength(1);
  });

  it('counts only this attempt\'s tokens when Codex resumes a thread, whose usage is its running total', async () => {
    const { adapter, assignment } = setup(codexSpec, { lines: fixture('codex-shell.jsonl') });
    const fresh = await adapter.run(assignment());
    expect(fresh.usage).toEqual({ inputTokens: 22, outputTokens: 14 });
    const resumed = await adapter.run(assignment({ attempt: 2, sessions: new Map([['codex', { id: 'thread-1', usage: { inputTokens: 10, outputTokens: 4 } }]]) }));
    expect(resumed.usage).toEqual({ inputTokens: 12, outputTokens: 10 });
  });

  it('says so clearly when the command line is too long for the system to start it', async () => {
    const { adapter, assignment, pids } = setup(codexSpec, { lines: [] }, { args: ['-c', `note="${'x'.repeat(200_000)}"`] });
    const result = await adapter.run(assignment());
    expect(result.outcome).toBe('failed');
    expect(result.error).toMatch(/^Codex \(worker "codex-1"\) could not start: its command line is longer than the system allows \(E2BIG\)/);
    expect(pids).toHaveLength(0);
  });
});
