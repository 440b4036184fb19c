import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Activity } from '../../../src/workers/activity.js';
import type { AgentCliSpec, StreamState } from '../../../src/workers/adapters/agents/agent-cli-spec.js';
import { claudeSpec } from '../../../src/workers/adapters/agents/claude.js';
import { codexSpec } from '../../../src/workers/adapters/agents/codex.js';
import { geminiSpec } from '../../../src/workers/adapters/agents/gemini.js';

/** Feeds a recorded stream through a spec the way the adapter does: bad lines are counted. */
function replay(spec: AgentCliSpec, fixture: string, extraLines: string[] = []): { state: StreamState; activities: Activity[]; malformed: number } {
  const lines = [...readFileSync(new URL(`../../fixtures/agent-streams/${fixture}`, import.meta.url), 'utf8').split('\n'), ...extraLines];
  const state: StreamState = { completed: false };
  const activities: Activity[] = [];
  let malformed = 0;
  for (const line of lines) {
    if (!line.trim()) continue;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      malformed += 1;
      continue;
    }
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      malformed += 1;
      continue;
    }
    activities.push(...spec.interpret(event as Record<string, unknown>, state));
  }
  return { state, activities, malformed };
}

const garbage = ['not json at all', '{"type":"item.completed","item":', '[1,2,3]', '42', '{"type":"mystery","x":1}', '{"type":"result"}'.slice(0, 5)];

describe('Codex spec (recorded codex exec --json streams)', () => {
  it('reads a shell command, the final message, usage and the thread id', () => {
    const { state, activities } = replay(codexSpec, 'codex-shell.jsonl');
    expect(state).toMatchObject({ sessionId: '01a21298-4d6e-7480-b91e-1ffe21733791', finalText: 'Done: created hello.txt', completed: true, usage: { inputTokens: 22, outputTokens: 14 } });
    expect(state.failure).toBeUndefined();
    const commands = activities.filter((item) => item.kind === 'command');
    expect(commands.map((item) => item.exitCode)).toEqual([null, 0]);
    expect(commands[1]!.command).toContain('echo hi > hello.txt');
    expect(activities.map((item) => item.kind)).toEqual(['error', 'command', 'command', 'message', 'usage']);
  });

  it('reads a patch as a file change', () => {
    const { activities } = replay(codexSpec, 'codex-shellpatch.jsonl');
    const change = activities.find((item) => item.kind === 'file_change');
    expect(change?.files).toEqual(['/workspace/proj/hello2.txt']);
  });

  it('keeps reconnect errors as the last error without failing: only the timeout ends such a run', () => {
    const { state } = replay(codexSpec, 'codex-nonet.jsonl');
    expect(state.completed).toBe(false);
    expect(state.failure).toBeUndefined();
    expect(state.lastError).toMatch(/Reconnecting\.\.\. waiting for network/);
  });

  it('marks a failed turn with a refused key as a credential failure', () => {
    const state: StreamState = { completed: false };
    codexSpec.interpret({ type: 'turn.failed', error: { message: 'unexpected status 401 Unauthorized: invalid api key' } }, state);
    expect(state).toMatchObject({ failure: 'unexpected status 401 Unauthorized: invalid api key', authFailure: true });
  });

  it('skips and counts garbage lines without losing the good ones', () => {
    const { state, malformed } = replay(codexSpec, 'codex-shell.jsonl', garbage);
    expect(malformed).toBe(5);
    expect(state.completed).toBe(true);
  });

  it('builds an unattended command line inside the worktree, with the prompt on stdin', () => {
    const line = codexSpec.commandLine({ prompt: 'P'.repeat(300_000), cwd: '/wt/a', model: 'gpt-5', extraArgs: ['-c', 'x=1'] });
    expect(line.args).toEqual(['exec', '--json', '--skip-git-repo-check', '--color', 'never', '-C', '/wt/a', '--sandbox', 'workspace-write', '--model', 'gpt-5', '-c', 'x=1', '-']);
    expect(line.stdin).toHaveLength(300_000);
    const resumed = codexSpec.commandLine({ prompt: 'p', cwd: '/wt/a', resumeSession: 'th-1', extraArgs: ['--dangerously-bypass-approvals-and-sandbox'] });
    expect(resumed.args).not.toContain('--sandbox');
    expect(resumed.args.slice(-3)).toEqual(['resume', 'th-1', '-']);
  });
});

describe('Claude Code spec (recorded stream-json)', () => {
  it('reads the tool use, the result with cost and usage, and the session', () => {
    const { state, activities } = replay(claudeSpec, 'claude-mock.jsonl');
    expect(state).toMatchObject({ sessionId: '8572f979-8ad4-4c87-a7b6-7575fafb0c35', finalText: 'Done: created hello3.txt', completed: true });
    expect(state.usage).toEqual({ inputTokens: 24, outputTokens: 10, costUsd: 0.00022200000000000003 });
    const tool = activities.find((item) => item.kind === 'tool_use');
    expect(tool).toMatchObject({ toolName: 'Bash', command: 'echo hi > hello3.txt && cat hello3.txt' });
    const command = activities.find((item) => item.kind === 'command');
    expect(command).toMatchObject({ toolName: 'Bash', command: 'echo hi > hello3.txt && cat hello3.txt', exitCode: 0, timestamp: '2026-11-25T12:07:02.184Z' });
    expect(activities.filter((item) => item.kind === 'usage')).toHaveLength(1);
    expect(activities.at(-2)?.kind).toBe('completed');
  });

  it('reports a run without credentials as a credential failure', () => {
    const { state, activities } = replay(claudeSpec, 'claude-nokey.jsonl');
    expect(state.completed).toBe(false);
    expect(state.failure).toBe('Not logged in · Please run /login');
    expect(state.authFailure).toBe(true);
    expect(activities.some((item) => item.kind === 'failed')).toBe(true);
  });

  it('survives garbage between events', () => {
    const { state, malformed } = replay(claudeSpec, 'claude-mock.jsonl', garbage);
    expect(malformed).toBe(5);
    expect(state.completed).toBe(true);
  });

  it('edits inside the worktree only by default; args may choose another permission mode', () => {
    expect(claudeSpec.commandLine({ prompt: 'p', cwd: '/wt', extraArgs: [] }).args).toEqual(['-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits']);
    const custom = claudeSpec.commandLine({ prompt: 'p', cwd: '/wt', model: 'claude-sonnet-4-5', resumeSession: 's-1', extraArgs: ['--permission-mode', 'bypassPermissions'] });
    expect(custom.args).toEqual(['-p', '--output-format', 'stream-json', '--verbose', '--model', 'claude-sonnet-4-5', '--resume', 's-1', '--permission-mode', 'bypassPermissions']);
    expect(custom.stdin).toBe('p');
  });
});

describe('Gemini CLI spec (recorded stream-json)', () => {
  it('reads the shell tool, the streamed message, stats and the session', () => {
    const { state, activities } = replay(geminiSpec, 'gemini-mock.jsonl');
    expect(state).toMatchObject({ sessionId: 'cef26bca-fd71-41a2-98d3-1915c69db39b', finalText: 'Done: created hello4.txt', completed: true, usage: { inputTokens: 20, outputTokens: 6 } });
    expect(activities.map((item) => item.kind)).toEqual(['tool_use', 'command', 'message', 'completed', 'usage']);
    expect(activities[0]).toMatchObject({ toolName: 'run_shell_command', command: 'echo hi > hello4.txt && cat hello4.txt' });
    // The command printed "hi", and Gemini CLI says "success" whatever the exit code: it stays unknown.
    expect(activities[1]).toMatchObject({ toolName: 'run_shell_command', command: 'echo hi > hello4.txt && cat hello4.txt', exitCode: null });
  });

  it('joins streamed deltas into one message', () => {
    const state: StreamState = { completed: false };
    const seen = [
      ...geminiSpec.interpret({ type: 'message', role: 'assistant', content: 'STATUS=', delta: true }, state),
      ...geminiSpec.interpret({ type: 'message', role: 'assistant', content: 'COMPLETED', delta: true }, state),
      ...geminiSpec.interpret({ type: 'result', status: 'error', error: { type: 'FatalAuthenticationError', message: 'API key not valid. Please pass a valid API key.' } }, state),
    ];
    expect(seen.map((item) => [item.kind, item.description])).toContainEqual(['message', 'STATUS=COMPLETED']);
    expect(state.finalText).toBe('STATUS=COMPLETED');
    expect(state).toMatchObject({ completed: false, failure: 'API key not valid. Please pass a valid API key.', authFailure: true });
  });

  it('passes the prompt on stdin, approves edits, and trusts the worktree', () => {
    const line = geminiSpec.commandLine({ prompt: 'long prompt', cwd: '/wt', model: 'gemini-2.5-pro', extraArgs: [] });
    expect(line.args).toEqual(['-o', 'stream-json', '--approval-mode', 'auto_edit', '--model', 'gemini-2.5-pro', '-p', 'Carry out the objective above.']);
    expect(line.stdin).toBe('long prompt');
    expect(geminiSpec.commandLine({ prompt: 'p', cwd: '/wt', extraArgs: ['--approval-mode', 'yolo'] }).args).toEqual(['-o', 'stream-json', '--approval-mode', 'yolo', '-p', 'Carry out the objective above.']);
    expect(geminiSpec.environment).toEqual({ GEMINI_CLI_TRUST_WORKSPACE: 'true' });
  });
});
