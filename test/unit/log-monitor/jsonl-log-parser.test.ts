import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Activity } from '../../../src/workers/activity.js';
import { activitiesFromJsonEvent, parseJsonlLogLine } from '../../../src/workers/log-monitor/jsonl-log-parser.js';

const samples = '/work/shared/samples';

/** Lines without a timestamp are stamped when seen; those are checked for shape, then dropped. */
function parseSample(name: string): Omit<Activity, 'timestamp'>[] {
  const lines = readFileSync(join(samples, name), 'utf8').split('\n');
  return lines.flatMap((line) =>
    parseJsonlLogLine(line).map(({ timestamp, ...rest }) => {
      expect(new Date(timestamp).toISOString()).toBe(timestamp);
      return rest;
    }),
  );
}

describe('parseJsonlLogLine on real captures', () => {
  it('reads a Codex exec run with a shell command', () => {
    expect(parseSample('out-exec-shell.jsonl')).toStrictEqual([
      { kind: 'error', description: 'Model metadata for `mock-model` not found. Defaulting to fallback metadata; this can degrade performance and cause issues.', source: 'jsonl' },
      { kind: 'command', description: "/bin/bash -lc 'echo hi > hello.txt && cat hello.txt'", command: "/bin/bash -lc 'echo hi > hello.txt && cat hello.txt'", exitCode: null, filePath: 'hello.txt', source: 'jsonl' },
      { kind: 'command', description: "/bin/bash -lc 'echo hi > hello.txt && cat hello.txt'", command: "/bin/bash -lc 'echo hi > hello.txt && cat hello.txt'", exitCode: 0, filePath: 'hello.txt', source: 'jsonl' },
      { kind: 'message', description: 'Done: created hello.txt', source: 'jsonl' },
      { kind: 'usage', description: '22 input, 14 output tokens', usage: { inputTokens: 22, outputTokens: 14 }, source: 'jsonl' },
    ]);
  });

  it('reads a Codex exec run with a patch', () => {
    expect(parseSample('out-exec-shellpatch.jsonl').slice(1)).toStrictEqual([
      { kind: 'file_change', description: 'add /workspace/proj/hello2.txt', files: ['/workspace/proj/hello2.txt'], filePath: '/workspace/proj/hello2.txt', source: 'jsonl' },
      { kind: 'message', description: 'Done: created hello.txt', source: 'jsonl' },
      { kind: 'usage', description: '22 input, 14 output tokens', usage: { inputTokens: 22, outputTokens: 14 }, source: 'jsonl' },
    ]);
  });

  it('reads Codex retrying without a network as errors', () => {
    const activities = parseSample('out-exec-nonet.jsonl');
    expect(activities.map((activity) => activity.kind)).toStrictEqual(Array(8).fill('error'));
    expect(activities[0]?.description).toMatch(/^Reconnecting\.\.\. 2\/5/);
    expect(activities[4]?.description).toMatch(/^Falling back from WebSockets/);
  });

  it('reads a Claude Code stream-json run', () => {
    expect(parseSample('out-claude-p-mock.jsonl')).toStrictEqual([
      { kind: 'tool_use', description: 'create file', toolName: 'Bash', command: 'echo hi > hello3.txt && cat hello3.txt', filePath: 'hello3.txt', source: 'jsonl' },
      { kind: 'message', description: 'Done: created hello3.txt', source: 'jsonl' },
      { kind: 'completed', description: 'Done: created hello3.txt', usage: { inputTokens: 24, outputTokens: 10, costUsd: 0.00022200000000000003 }, source: 'jsonl' },
    ]);
  });

  it('reads an unauthenticated Claude Code run as an error and a failure', () => {
    expect(parseSample('out-claude-p-nokey.jsonl')).toStrictEqual([
      { kind: 'error', description: 'Not logged in · Please run /login', source: 'jsonl' },
      { kind: 'failed', description: 'Not logged in · Please run /login', usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 }, source: 'jsonl' },
    ]);
  });

  it('reads a Gemini CLI stream-json run with its timestamps', () => {
    const lines = readFileSync(join(samples, 'out-gem-mock.jsonl'), 'utf8').split('\n');
    expect(lines.flatMap((line) => parseJsonlLogLine(line))).toStrictEqual([
      {
        kind: 'tool_use',
        description: 'create file',
        toolName: 'run_shell_command',
        command: 'echo hi > hello4.txt && cat hello4.txt',
        filePath: 'hello4.txt',
        timestamp: '2026-11-25T12:09:49.429Z',
        source: 'jsonl',
      },
      { kind: 'message', description: 'Done: created hello4.txt', timestamp: '2026-11-25T12:09:49.667Z', source: 'jsonl' },
      { kind: 'completed', description: 'Completed', usage: { inputTokens: 20, outputTokens: 6 }, timestamp: '2026-11-25T12:09:49.674Z', source: 'jsonl' },
    ]);
  });
});

describe('parseJsonlLogLine on other shapes', () => {
  const one = (event: unknown) => {
    const [first, ...rest] = parseJsonlLogLine(JSON.stringify(event));
    expect(rest).toStrictEqual([]);
    return first;
  };

  it('maps the remaining Codex exec items', () => {
    expect(one({ type: 'item.completed', item: { type: 'reasoning', text: 'Checking the tests' } })).toMatchObject({ kind: 'reasoning', description: 'Checking the tests' });
    expect(one({ type: 'item.started', item: { type: 'mcp_tool_call', server: 'docs', tool: 'search', status: 'in_progress' } })).toMatchObject({ kind: 'tool_use', toolName: 'search', description: 'docs search' });
    expect(one({ type: 'item.completed', item: { type: 'mcp_tool_call', server: 'docs', tool: 'search', status: 'failed', error: { message: 'timed out' } } })).toMatchObject({ kind: 'error', description: 'timed out' });
    expect(one({ type: 'item.completed', item: { type: 'command_execution', command: 'false', exit_code: 1, status: 'failed' } })).toMatchObject({ kind: 'command', exitCode: 1 });
    expect(one({ type: 'item.completed', item: { type: 'file_change', changes: [{ path: 'a.ts', kind: 'update' }, { path: 'b.ts', kind: 'delete' }], status: 'completed' } })).toMatchObject({
      kind: 'file_change',
      files: ['a.ts', 'b.ts'],
      filePath: 'a.ts',
      description: 'update a.ts, delete b.ts',
    });
    expect(one({ type: 'turn.failed', error: { message: 'usage limit reached' } })).toMatchObject({ kind: 'failed', description: 'usage limit reached' });
    expect(parseJsonlLogLine('{"type":"item.started","item":{"type":"file_change","changes":[{"path":"a.ts","kind":"add"}]}}')).toStrictEqual([]);
  });

  it('maps Claude Code thinking, file tools, tool errors and failed results', () => {
    const assistant = {
      type: 'assistant',
      timestamp: '2025-10-08T10:36:45.000Z',
      message: {
        content: [
          { type: 'thinking', thinking: 'The bug is in auth' },
          { type: 'tool_use', name: 'Edit', input: { file_path: '/repo/src/auth.py', old_string: 'a', new_string: 'b' } },
          { type: 'tool_use', name: 'Grep', input: { pattern: 'TODO', path: 'src' } },
        ],
      },
    };
    expect(parseJsonlLogLine(JSON.stringify(assistant))).toStrictEqual([
      { kind: 'reasoning', description: 'The bug is in auth', timestamp: '2025-10-08T10:36:45.000Z', source: 'jsonl' },
      { kind: 'tool_use', description: '/repo/src/auth.py', toolName: 'Edit', filePath: '/repo/src/auth.py', timestamp: '2025-10-08T10:36:45.000Z', source: 'jsonl' },
      { kind: 'tool_use', description: 'src', toolName: 'Grep', filePath: 'src', timestamp: '2025-10-08T10:36:45.000Z', source: 'jsonl' },
    ]);
    expect(one({ type: 'user', message: { content: [{ type: 'tool_result', is_error: true, content: [{ type: 'text', text: 'File not found' }] }] } })).toMatchObject({ kind: 'error', description: 'File not found' });
    expect(parseJsonlLogLine(JSON.stringify({ type: 'user', message: { content: [{ type: 'tool_result', is_error: false, content: 'ok' }] } }))).toStrictEqual([]);
    expect(one({ type: 'result', subtype: 'error_max_turns', is_error: true, total_cost_usd: 0.5, usage: { input_tokens: 100, output_tokens: 7 } })).toMatchObject({
      kind: 'failed',
      description: 'Failed (error_max_turns)',
      usage: { inputTokens: 100, outputTokens: 7, costUsd: 0.5 },
    });
  });

  it('maps Gemini CLI tool errors and failed results', () => {
    expect(one({ type: 'tool_result', tool_id: 't1', status: 'error', output: '', error: { type: 'invalid', message: 'No such file' } })).toMatchObject({ kind: 'error', description: 'No such file' });
    expect(one({ type: 'tool_use', tool_name: 'read_file', parameters: { absolute_path: '/repo/a.ts' } })).toMatchObject({ kind: 'tool_use', toolName: 'read_file', filePath: '/repo/a.ts' });
    expect(one({ type: 'result', status: 'error', error: { type: 'FatalError', message: 'quota' }, stats: { input_tokens: 1, output_tokens: 2 } })).toMatchObject({
      kind: 'failed',
      description: 'quota',
      usage: { inputTokens: 1, outputTokens: 2 },
    });
    expect(parseJsonlLogLine('{"type":"message","role":"user","content":"hi"}')).toStrictEqual([]);
  });

  it('maps Codex rollout files', () => {
    const at = { timestamp: '2025-10-29T00:59:49.783Z' };
    expect(one({ ...at, type: 'event_msg', payload: { type: 'agent_message', message: '4' } })).toMatchObject({ kind: 'message', description: '4', timestamp: at.timestamp });
    expect(one({ ...at, type: 'event_msg', payload: { type: 'agent_reasoning', text: '**Thinking**' } })).toMatchObject({ kind: 'reasoning' });
    expect(one({ ...at, type: 'event_msg', payload: { type: 'token_count', info: { last_token_usage: { input_tokens: 6040, cached_input_tokens: 4992, output_tokens: 129 } } } })).toMatchObject({
      kind: 'usage',
      usage: { inputTokens: 6040, outputTokens: 129 },
    });
    expect(one({ ...at, type: 'response_item', payload: { type: 'function_call', name: 'shell', arguments: '{"command":["bash","-lc","ls"],"workdir":"/tmp"}', call_id: 'c1' } })).toMatchObject({
      kind: 'command',
      command: 'bash -lc ls',
      toolName: 'shell',
      exitCode: null,
    });
    expect(one({ ...at, type: 'response_item', payload: { type: 'custom_tool_call', name: 'apply_patch', input: '*** Begin Patch\n*** Add File: hello.txt\n+Hi\n*** Update File: src/a.ts\n*** End Patch' } })).toMatchObject({
      kind: 'file_change',
      files: ['hello.txt', 'src/a.ts'],
      filePath: 'hello.txt',
    });
    expect(parseJsonlLogLine(JSON.stringify({ ...at, type: 'response_item', payload: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: '4' }] } }))).toStrictEqual([]);
    expect(parseJsonlLogLine(JSON.stringify({ ...at, type: 'event_msg', payload: { type: 'token_count', info: null } }))).toStrictEqual([]);
  });

  it.each(['', '   ', 'not json', '{"type":', '{"type":"item.completed","item":', '\u0000\u0001garbage', '[2025-10-08T10:36:45] TOOL: x - y'])('returns nothing for malformed %j', (line) => {
    expect(parseJsonlLogLine(line)).toStrictEqual([]);
  });

  it.each(['{"type":"thread.started","thread_id":"x"}', '{"type":"turn.started"}', '{"type":"system","subtype":"init"}', '{"type":"init"}', '{}', '[1,2]', '42', 'null', '"text"', '{"type":"item.completed"}', '{"type":"assistant","message":"odd"}'])(
    'returns nothing for the unknown or empty shape %s',
    (line) => {
      expect(parseJsonlLogLine(line)).toStrictEqual([]);
    },
  );

  it('takes already parsed events too', () => {
    expect(activitiesFromJsonEvent({ type: 'error', message: 'boom' })).toMatchObject([{ kind: 'error', description: 'boom', source: 'jsonl' }]);
    expect(activitiesFromJsonEvent(undefined)).toStrictEqual([]);
  });
});
