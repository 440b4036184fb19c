import { describe, expect, it } from 'vitest';
import type { Activity } from '../../../src/workers/activity.js';
import type { AgentCliSpec, StreamState } from '../../../src/workers/adapters/agents/agent-cli-spec.js';
import { claudeSpec } from '../../../src/workers/adapters/agents/claude.js';
import { codexSpec } from '../../../src/workers/adapters/agents/codex.js';
import { geminiSpec } from '../../../src/workers/adapters/agents/gemini.js';

/**
 * Commands and file changes read from tool results. The events are those the real CLIs wrote
 * (Claude Code 2.1.197, Gemini CLI 0.61, run against the scripted model server), cut down to the
 * fields that matter and with the worktree renamed to /work/tree.
 */

type Json = Record<string, unknown>;

function feed(spec: AgentCliSpec, events: Json[], state: StreamState = { completed: false, cwd: '/work/tree' }): Activity[] {
  return events.flatMap((event) => spec.interpret(event, state));
}

const toolActivities = (activities: Activity[]) => activities.filter((item) => item.kind === 'command' || item.kind === 'file_change');

const session = { parent_tool_use_id: null, session_id: 'aab60da3-6e2b-4aae-b3d3-4a632d70b9f6' };

function claudeCall(id: string, name: string, input: Json): Json {
  return { type: 'assistant', message: { id: `msg_${id}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'tool_use', id, name, input }] }, ...session };
}

function claudeResult(id: string, result: Json, toolUseResult?: unknown): Json {
  return { type: 'user', message: { role: 'user', content: [{ tool_use_id: id, type: 'tool_result', ...result }] }, ...session, timestamp: '2026-12-03T08:58:05.527Z', tool_use_result: toolUseResult };
}

const bashOutcome = (stdout: string, extra: Json = {}) => ({ stdout, stderr: '', interrupted: false, isImage: false, noOutputExpected: false, ...extra });

describe('Claude Code tool results', () => {
  it('shows a Bash call that succeeded as a command with exit code 0, beside its tool use', () => {
    const activities = feed(claudeSpec, [
      claudeCall('toolu_1', 'Bash', { command: 'mkdir -p beta && echo "from claude" > beta/claude.txt', description: 'Run scripted command' }),
      claudeResult('toolu_1', { content: '(Bash completed with no output)', is_error: false }, bashOutcome('')),
    ]);
    expect(activities.map((item) => item.kind)).toEqual(['tool_use', 'command']);
    expect(activities[1]).toMatchObject({ toolName: 'Bash', command: 'mkdir -p beta && echo "from claude" > beta/claude.txt', exitCode: 0, filePath: 'beta/claude.txt', timestamp: '2026-12-03T08:58:05.527Z', source: 'jsonl' });
  });

  it('reads the exit code of a failed Bash call from its result, and invents none when it is not there', () => {
    const activities = feed(claudeSpec, [
      claudeCall('toolu_1', 'Bash', { command: 'echo some output && ls /nonexistent-dir' }),
      claudeResult('toolu_1', { content: "Exit code 2\nsome output\nls: cannot access '/nonexistent-dir': No such file or directory", is_error: true }, "Error: Exit code 2\nsome output\nls: cannot access '/nonexistent-dir': No such file or directory"),
      claudeCall('toolu_2', 'Bash', { command: 'rm -rf /' }),
      claudeResult('toolu_2', { content: "Claude requested permissions to use Bash, but you haven't granted it yet.", is_error: true }),
    ]);
    expect(toolActivities(activities).map((item) => [item.command, item.exitCode])).toEqual([
      ['echo some output && ls /nonexistent-dir', 2],
      ['rm -rf /', null],
    ]);
    // The failures are still errors too, as before.
    expect(activities.filter((item) => item.kind === 'error')).toHaveLength(2);
  });

  it('gives no exit code to a command Claude Code does not count as failed but that did not exit 0', () => {
    const activities = feed(claudeSpec, [
      claudeCall('toolu_1', 'Bash', { command: 'grep zzznomatch /etc/hostname' }),
      claudeResult('toolu_1', { content: '(Bash completed with no output)', is_error: false }, bashOutcome('', { returnCodeInterpretation: 'No matches found' })),
      claudeCall('toolu_2', 'Bash', { command: 'npm run dev', run_in_background: true }),
      claudeResult('toolu_2', { content: 'Command running in background with ID: b1', is_error: false }, bashOutcome('', { backgroundTaskId: 'b1' })),
      claudeCall('toolu_3', 'Bash', { command: 'sleep 999' }),
      claudeResult('toolu_3', { content: 'Command was interrupted', is_error: false }, bashOutcome('', { interrupted: true })),
    ]);
    expect(toolActivities(activities).map((item) => item.exitCode)).toEqual([null, null, null]);
  });

  it('shows a Write inside the worktree as a repo-relative file change, and one outside with its own path', () => {
    const activities = feed(claudeSpec, [
      claudeCall('toolu_1', 'Write', { file_path: '/work/tree/beta/written.txt', content: 'written by claude\n' }),
      // A successful Write leaves is_error out.
      claudeResult('toolu_1', { content: 'File created successfully at: /work/tree/beta/written.txt' }, { type: 'create', filePath: '/work/tree/beta/written.txt', content: 'written by claude\n', structuredPatch: [], originalFile: null }),
      claudeCall('toolu_2', 'Write', { file_path: '/work/treehouse/notes.txt', content: 'x\n' }),
      claudeResult('toolu_2', { content: 'File created successfully at: /work/treehouse/notes.txt' }),
    ]);
    expect(toolActivities(activities)).toEqual([
      expect.objectContaining({ kind: 'file_change', toolName: 'Write', filePath: 'beta/written.txt', files: ['beta/written.txt'], description: 'Write beta/written.txt' }),
      expect.objectContaining({ kind: 'file_change', toolName: 'Write', filePath: '/work/treehouse/notes.txt', files: ['/work/treehouse/notes.txt'] }),
    ]);
  });

  it('shows edits and notebook edits that worked, and no file change for one that was refused', () => {
    const activities = feed(claudeSpec, [
      claudeCall('toolu_1', 'Edit', { file_path: '/work/tree/src/a.ts', old_string: 'a', new_string: 'b' }),
      claudeResult('toolu_1', { content: 'The file /work/tree/src/a.ts has been updated.' }),
      claudeCall('toolu_2', 'NotebookEdit', { notebook_path: '/work/tree/nb/x.ipynb', new_source: 'print(1)' }),
      claudeResult('toolu_2', { content: 'Updated cell', is_error: false }),
      claudeCall('toolu_3', 'Write', { file_path: '/tmp/outside-probe.txt', content: 'y\n' }),
      claudeResult('toolu_3', { content: "Claude requested permissions to write to /tmp/outside-probe.txt, but you haven't granted it yet.", is_error: true }),
      claudeCall('toolu_4', 'Read', { file_path: '/work/tree/src/a.ts' }),
      claudeResult('toolu_4', { content: '1\tb' }),
    ]);
    expect(toolActivities(activities).map((item) => [item.toolName, item.filePath])).toEqual([
      ['Edit', 'src/a.ts'],
      ['NotebookEdit', 'nb/x.ipynb'],
    ]);
  });

  it('ignores a result whose call it never saw, and keeps each stream\'s calls to itself', () => {
    const orphan = claudeResult('toolu_unknown', { content: 'Exit code 1', is_error: true });
    expect(() => feed(claudeSpec, [orphan, claudeResult('toolu_x', { content: 'ok' }), { type: 'user', message: { content: [{ type: 'tool_result' }] } }])).not.toThrow();
    expect(toolActivities(feed(claudeSpec, [orphan]))).toEqual([]);

    const first: StreamState = { completed: false, cwd: '/work/tree' };
    feed(claudeSpec, [claudeCall('toolu_1', 'Bash', { command: 'echo one' })], first);
    const second: StreamState = { completed: false, cwd: '/work/tree' };
    expect(toolActivities(feed(claudeSpec, [claudeResult('toolu_1', { content: 'one', is_error: false })], second))).toEqual([]);
    // A result is matched once: a repeat of it is not a second command.
    expect(toolActivities(feed(claudeSpec, [claudeResult('toolu_1', { content: 'one', is_error: false }), claudeResult('toolu_1', { content: 'one', is_error: false })], first))).toHaveLength(1);
  });
});

function geminiCall(id: string, name: string, parameters: Json): Json {
  return { type: 'tool_use', timestamp: '2026-12-03T08:58:08.653Z', tool_name: name, tool_id: id, parameters };
}

function geminiResult(id: string, result: Json): Json {
  return { type: 'tool_result', timestamp: '2026-12-03T08:58:08.748Z', tool_id: id, ...result };
}

describe('Gemini CLI tool results', () => {
  it('reads a non-zero exit code from the result of a shell command', () => {
    const activities = feed(geminiSpec, [
      geminiCall('run_shell_command_1', 'run_shell_command', { command: 'exit 3', description: 'Run scripted command' }),
      // What Gemini CLI writes when the command printed nothing: the status stays "success".
      geminiResult('run_shell_command_1', { status: 'success', output: 'Command exited with code: 3' }),
      geminiCall('run_shell_command_2', 'run_shell_command', { command: 'npm test' }),
      // In debug mode the result is the model's view, with an "Exit Code" line.
      geminiResult('run_shell_command_2', { status: 'success', output: 'Output: 1 failed\nExit Code: 1\nProcess Group PGID: 4242' }),
    ]);
    expect(activities.map((item) => item.kind)).toEqual(['tool_use', 'command', 'tool_use', 'command']);
    expect(toolActivities(activities)).toEqual([
      expect.objectContaining({ toolName: 'run_shell_command', command: 'exit 3', exitCode: 3, timestamp: '2026-12-03T08:58:08.748Z', source: 'jsonl' }),
      expect.objectContaining({ command: 'npm test', exitCode: 1 }),
    ]);
  });

  it('gives exit code 0 only to a command that printed nothing, and none to one that printed without a code', () => {
    const activities = feed(geminiSpec, [
      geminiCall('run_shell_command_1', 'run_shell_command', { command: 'mkdir -p gamma && echo "from gemini" > gamma/gemini.txt' }),
      geminiResult('run_shell_command_1', { status: 'success', output: '' }),
      // `ls` failed with code 2 here, yet Gemini CLI reports only the output and "success".
      geminiCall('run_shell_command_2', 'run_shell_command', { command: 'echo some output && ls /nonexistent-dir' }),
      geminiResult('run_shell_command_2', { status: 'success', output: "some output\nls: cannot access '/nonexistent-dir': No such file or directory" }),
      geminiCall('run_shell_command_3', 'run_shell_command', { command: 'rm -rf /' }),
      geminiResult('run_shell_command_3', { status: 'error', output: 'Command refused', error: { type: 'execution_denied', message: 'Command refused' } }),
    ]);
    expect(toolActivities(activities).map((item) => [item.command, item.exitCode])).toEqual([
      ['mkdir -p gamma && echo "from gemini" > gamma/gemini.txt', 0],
      ['echo some output && ls /nonexistent-dir', null],
      ['rm -rf /', null],
    ]);
  });

  it('shows a write_file that worked as a repo-relative file change, and none for one that failed', () => {
    const activities = feed(geminiSpec, [
      geminiCall('write_file_1', 'write_file', { file_path: '/work/tree/gamma/written.txt', content: 'written by gemini\n' }),
      geminiResult('write_file_1', { status: 'success' }),
      geminiCall('write_file_2', 'write_file', { file_path: '/tmp/outside-probe.txt', content: 'y\n' }),
      geminiResult('write_file_2', { status: 'error', output: 'Path not in workspace', error: { type: 'invalid_tool_params', message: 'Path not in workspace' } }),
      geminiCall('replace_1', 'replace', { file_path: '/work/tree/src/a.ts', old_string: 'a', new_string: 'b' }),
      geminiResult('replace_1', { status: 'success' }),
    ]);
    expect(toolActivities(activities)).toEqual([
      expect.objectContaining({ kind: 'file_change', toolName: 'write_file', filePath: 'gamma/written.txt', files: ['gamma/written.txt'], description: 'write_file gamma/written.txt' }),
      expect.objectContaining({ kind: 'file_change', toolName: 'replace', filePath: 'src/a.ts' }),
    ]);
    expect(activities.filter((item) => item.kind === 'error').map((item) => item.description)).toEqual(['Path not in workspace']);
  });

  it('ignores a result whose call it never saw', () => {
    const events = [geminiResult('run_shell_command_9', { status: 'success', output: 'Command exited with code: 1' }), geminiResult('', { status: 'success' }), { type: 'tool_result' }];
    expect(() => feed(geminiSpec, events)).not.toThrow();
    expect(toolActivities(feed(geminiSpec, events))).toEqual([]);
  });
});

describe('Codex plans', () => {
  const plan = (type: string, completed: boolean[]) => ({
    type,
    item: { id: 'item_0', type: 'todo_list', items: [{ text: 'first step', completed: completed[0] }, { text: 'second step', completed: completed[1] }] },
  });

  it('shows an updated and a completed plan as a message, not the one just started', () => {
    const state: StreamState = { completed: false, cwd: '/work/tree' };
    expect(codexSpec.interpret(plan('item.started', [false, false]), state)).toEqual([]);
    const updated = codexSpec.interpret(plan('item.updated', [true, false]), state);
    expect(updated).toEqual([expect.objectContaining({ kind: 'message', description: 'Plan: [x] first step; [ ] second step', source: 'jsonl' })]);
    const completed = codexSpec.interpret(plan('item.completed', [true, true]), state);
    expect(completed.map((item) => item.description)).toEqual(['Plan: [x] first step; [x] second step']);
    // The plan is not the agent's reply.
    expect(state.finalText).toBeUndefined();
  });

  it('shows nothing for an empty plan or another item that is updated', () => {
    const state: StreamState = { completed: false, cwd: '/work/tree' };
    expect(codexSpec.interpret({ type: 'item.completed', item: { id: 'item_0', type: 'todo_list', items: [] } }, state)).toEqual([]);
    expect(codexSpec.interpret({ type: 'item.updated', item: { id: 'item_1', type: 'command_execution', command: 'ls', status: 'in_progress' } }, state)).toEqual([]);
  });
});
