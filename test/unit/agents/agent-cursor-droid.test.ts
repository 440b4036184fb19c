import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Activity } from '../../../src/workers/activity.js';
import { record, type AgentCliSpec, type StreamState } from '../../../src/workers/adapters/agents/agent-cli-spec.js';
import { cursorSpec } from '../../../src/workers/adapters/agents/cursor.js';
import { droidSpec } from '../../../src/workers/adapters/agents/droid.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'agent-streams');

interface Replay {
  state: StreamState;
  activities: Activity[];
  /** Lines that are not JSON objects: the adapter counts them and goes on. */
  malformed: number;
}

/** What the adapter does with a recorded stream: each line parsed on its own, objects interpreted. */
function replay(spec: AgentCliSpec, fixture: string): Replay {
  const state: StreamState = { completed: false };
  const activities: Activity[] = [];
  let malformed = 0;
  for (const line of readFileSync(path.join(fixtures, fixture), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      malformed++;
      continue;
    }
    const event = record(parsed);
    if (!event) {
      malformed++;
      continue;
    }
    activities.push(...spec.interpret(event, state));
  }
  return { state, activities, malformed };
}

/** The fields that matter, without timestamps. */
function shape(activities: readonly Activity[]) {
  return activities.map(({ kind, description, toolName, filePath, files, command, exitCode, usage }) => ({ kind, description, toolName, filePath, files, command, exitCode, usage }));
}

const cursorReply = 'STATUS=COMPLETED\n### Change Summary\n- src/summary.ts: new summary\n- src/app.ts: uses it\n### Test Status\npassed: npm test\n### Commit Message\nfeat(app): add summary';
const droidReply = 'STATUS=COMPLETED\n### Change Summary\n- src/summary.ts: new summary\n### Test Status\npassed: npm test\n### Commit Message\nfeat(app): add summary';

describe('Cursor (cursor-agent -p --output-format stream-json)', () => {
  it('reads a successful run: messages, a read, a write, an edit, a command, the result and its usage', () => {
    const { state, activities, malformed } = replay(cursorSpec, 'cursor-success.jsonl');
    expect(malformed).toBe(0);
    expect(shape(activities)).toEqual([
      { kind: 'message', description: "I'll read the README first." },
      { kind: 'tool_use', description: 'README.md', toolName: 'read', filePath: 'README.md' },
      { kind: 'tool_use', description: 'src/summary.ts', toolName: 'write', filePath: 'src/summary.ts' },
      { kind: 'file_change', description: 'write src/summary.ts', toolName: 'write', filePath: 'src/summary.ts', files: ['src/summary.ts'] },
      // Absolute paths inside the worktree (the init event's cwd) become repo-relative.
      { kind: 'tool_use', description: 'src/app.ts', toolName: 'edit', filePath: 'src/app.ts' },
      { kind: 'file_change', description: 'edit src/app.ts (+2 -1)', toolName: 'edit', filePath: 'src/app.ts', files: ['src/app.ts'] },
      { kind: 'message', description: "Now I'll run the tests." },
      { kind: 'tool_use', description: 'npm test', toolName: 'shell', command: 'npm test' },
      { kind: 'command', description: 'npm test', toolName: 'shell', command: 'npm test', exitCode: 0 },
      { kind: 'message', description: cursorReply },
      { kind: 'completed', description: 'Completed in 5.2 s' },
      { kind: 'usage', description: '2000 input, 340 output tokens', usage: { inputTokens: 2000, outputTokens: 340 } },
    ]);
    expect(activities.every((item) => item.source === 'jsonl')).toBe(true);
    // The event's own time is kept when it has one.
    expect(activities[0]!.timestamp).toBe(new Date(1761300000000).toISOString());
    expect(state).toMatchObject({
      sessionId: 'c6b62c6f-7ead-4fd6-9922-e952131177ff',
      // The last message, not the result (every message run together).
      finalText: cursorReply,
      completed: true,
      usage: { inputTokens: 2000, outputTokens: 340 },
    });
    expect(state.failure).toBeUndefined();
    expect(state.authFailure).toBeUndefined();
  });

  it('reads a failed run: a failing command, a refused delete and an error result', () => {
    const { state, activities } = replay(cursorSpec, 'cursor-failure.jsonl');
    expect(shape(activities)).toEqual([
      { kind: 'message', description: 'Building first.' },
      { kind: 'tool_use', description: 'npm run build', toolName: 'shell', command: 'npm run build' },
      { kind: 'command', description: 'npm run build', toolName: 'shell', command: 'npm run build', exitCode: 2 },
      { kind: 'tool_use', description: 'dist/app.js', toolName: 'delete', filePath: 'dist/app.js' },
      { kind: 'error', description: 'delete dist/app.js: rejected (Denied by permissions: Write(dist/**))', toolName: 'delete', filePath: 'dist/app.js' },
      { kind: 'failed', description: 'The model stopped: context window exceeded.' },
    ]);
    expect(state).toMatchObject({ sessionId: '9d0c2a55-1b8e-4c7e-8f0e-3a1d2c4b5e6f', completed: false, failure: 'The model stopped: context window exceeded.' });
    expect(state.authFailure).toBeFalsy();
    expect(state.usage).toBeUndefined();
  });

  it('tells a refused key apart', () => {
    const { state, activities } = replay(cursorSpec, 'cursor-auth-failure.jsonl');
    expect(shape(activities)).toEqual([{ kind: 'failed', description: 'Unauthorized (401): the API key in CURSOR_API_KEY is invalid.' }]);
    expect(state).toMatchObject({ completed: false, authFailure: true, failure: 'Unauthorized (401): the API key in CURSOR_API_KEY is invalid.' });
  });

  it('reads an error event: an explanation, and a failure only when the login is missing', () => {
    const state: StreamState = { completed: false };
    expect(shape(cursorSpec.interpret({ type: 'error', message: 'Connection reset; retrying' }, state))).toEqual([{ kind: 'error', description: 'Connection reset; retrying' }]);
    expect(state).toEqual({ completed: false, lastError: 'Connection reset; retrying' });
    cursorSpec.interpret({ type: 'error', message: "Authentication required. Please run 'cursor-agent login' first, or set CURSOR_API_KEY." }, state);
    expect(state).toMatchObject({ authFailure: true, failure: "Authentication required. Please run 'cursor-agent login' first, or set CURSOR_API_KEY." });
  });

  it('skips malformed lines and unknown shapes, and still reads the good lines the same way', () => {
    const good = replay(cursorSpec, 'cursor-success.jsonl');
    const mixed = replay(cursorSpec, 'cursor-malformed.jsonl');
    // Garbage, a truncated object, an array, a number, null and a string.
    expect(mixed.malformed).toBe(6);
    expect(shape(mixed.activities)).toEqual(shape(good.activities));
    expect(mixed.state).toEqual(good.state);
  });

  it('joins thinking and streamed text deltas, and takes a consolidated message in place of its deltas', () => {
    const state: StreamState = { completed: false };
    const said = (text: string) => ({ type: 'assistant', message: { role: 'assistant', content: [{ type: 'text', text }] } });
    const events = [
      { type: 'thinking', subtype: 'delta', text: 'Plan: ' },
      { type: 'thinking', subtype: 'delta', text: 'read, then edit.' },
      { type: 'thinking', subtype: 'completed' },
      said('Hel'),
      said('lo'),
      said('Hello'),
      { type: 'tool_call', subtype: 'started', call_id: 'c1', tool_call: { globToolCall: { args: { globPattern: '**/*.ts', targetDirectory: 'src' } } } },
      { type: 'tool_call', subtype: 'started', call_id: 'c2', tool_call: { function: { name: 'edit_file', arguments: '{"path":"src/a.ts"}' } } },
      { type: 'tool_call', subtype: 'completed', call_id: 'c2', tool_call: { function: { name: 'edit_file', arguments: '{"path":"src/a.ts"}', result: { success: {} } } } },
    ];
    const activities = events.flatMap((event) => cursorSpec.interpret(event, state));
    expect(shape(activities)).toEqual([
      { kind: 'reasoning', description: 'Plan: read, then edit.' },
      { kind: 'message', description: 'Hello' },
      { kind: 'tool_use', description: '**/*.ts', toolName: 'glob' },
      { kind: 'tool_use', description: 'src/a.ts', toolName: 'edit_file', filePath: 'src/a.ts' },
      { kind: 'file_change', description: 'edit_file src/a.ts', toolName: 'edit_file', filePath: 'src/a.ts', files: ['src/a.ts'] },
    ]);
    expect(state.finalText).toBe('Hello');
  });

  it('uses the result text as the reply when no message came, and a completion without arguments those of its start', () => {
    const state: StreamState = { completed: false };
    cursorSpec.interpret({ type: 'tool_call', subtype: 'started', call_id: 'k', tool_call: { shellToolCall: { args: { command: 'ls -la' } } } }, state);
    const done = cursorSpec.interpret({ type: 'tool_call', subtype: 'completed', call_id: 'k', tool_call: { shellToolCall: { result: { success: { exitCode: 0 } } } } }, state);
    expect(shape(done)).toEqual([{ kind: 'command', description: 'ls -la', toolName: 'shell', command: 'ls -la', exitCode: 0 }]);
    cursorSpec.interpret({ type: 'result', subtype: 'success', is_error: false, result: 'STATUS=COMPLETED', session_id: 's' }, state);
    expect(state).toMatchObject({ completed: true, finalText: 'STATUS=COMPLETED', sessionId: 's' });
    expect(state.usage).toBeUndefined();
  });

  it('builds an unattended command line', () => {
    expect(cursorSpec.commandLine({ prompt: 'Do it', cwd: '/w', extraArgs: [] })).toEqual({ args: ['-p', '--output-format', 'stream-json', '--force', 'Do it'] });
    expect(cursorSpec.commandLine({ prompt: 'Do it', cwd: '/w', model: 'gpt-5', resumeSession: 'chat-1', extraArgs: [] }).args).toEqual([
      '-p',
      '--output-format',
      'stream-json',
      '--force',
      '--model',
      'gpt-5',
      '--resume',
      'chat-1',
      'Do it',
    ]);
    // Extra args come after the preset's and replace what they mention.
    expect(cursorSpec.commandLine({ prompt: 'Do it', cwd: '/w', model: 'gpt-5', extraArgs: ['--approve-mcps', '-f', '--model=sonnet-4'] }).args).toEqual([
      '-p',
      '--output-format',
      'stream-json',
      '--approve-mcps',
      '-f',
      '--model=sonnet-4',
      'Do it',
    ]);
    // The prompt is the positional argument up to 100,000 bytes; Linux caps one argument at 128 KiB,
    // so a longer one is piped on stdin.
    const long = 'x'.repeat(90_000);
    const line = cursorSpec.commandLine({ prompt: long, cwd: '/w', extraArgs: [] });
    expect(line.args.at(-1)).toBe(long);
    expect(line.stdin).toBeUndefined();
    const longer = 'x'.repeat(140_000);
    const piped = cursorSpec.commandLine({ prompt: longer, cwd: '/w', extraArgs: [] });
    expect(piped.args).toEqual(['-p', '--output-format', 'stream-json', '--force']);
    expect(piped.stdin).toBe(longer);
  });

  it('names its executable, key and login', () => {
    expect(cursorSpec).toMatchObject({ agent: 'cursor', displayName: 'Cursor', defaultCommand: 'cursor-agent', keyVariables: ['CURSOR_API_KEY'] });
    expect(cursorSpec.authHint).toContain('cursor-agent login');
    expect(cursorSpec.loginFiles.length).toBeGreaterThan(0);
  });
});

describe('Droid (droid exec -o stream-json)', () => {
  it('reads a successful run: messages, a read, a file created, an edit, a command, the completion and its usage', () => {
    const { state, activities, malformed } = replay(droidSpec, 'droid-success.jsonl');
    expect(malformed).toBe(0);
    expect(shape(activities)).toEqual([
      { kind: 'message', description: 'Let me look at the entry point.' },
      { kind: 'tool_use', description: 'src/app.ts', toolName: 'Read', filePath: 'src/app.ts' },
      { kind: 'tool_use', description: 'src/summary.ts', toolName: 'Create', filePath: 'src/summary.ts' },
      { kind: 'file_change', description: 'write src/summary.ts', toolName: 'Create', filePath: 'src/summary.ts', files: ['src/summary.ts'] },
      { kind: 'tool_use', description: 'src/app.ts', toolName: 'Edit', filePath: 'src/app.ts' },
      // This result has no id: it belongs to the oldest open call.
      { kind: 'file_change', description: 'edit src/app.ts', toolName: 'Edit', filePath: 'src/app.ts', files: ['src/app.ts'] },
      { kind: 'tool_use', description: 'npm test', toolName: 'Execute', command: 'npm test' },
      { kind: 'command', description: 'npm test', toolName: 'Execute', command: 'npm test', exitCode: 0 },
      { kind: 'message', description: droidReply },
      // The completion's final text repeats the last message: it is not shown twice.
      { kind: 'completed', description: 'Completed (5 turn(s), 6.2 s)' },
      { kind: 'usage', description: '1600 input, 200 output tokens', usage: { inputTokens: 1600, outputTokens: 200 } },
    ]);
    expect(activities.every((item) => item.source === 'jsonl')).toBe(true);
    expect(activities[0]!.timestamp).toBe(new Date(1761300001000).toISOString());
    expect(state).toMatchObject({ sessionId: '5b1c9e2a-7f3d-4c8b-a6e1-0d2f4b6a8c9e', finalText: droidReply, completed: true, usage: { inputTokens: 1600, outputTokens: 200 } });
    expect(state.failure).toBeUndefined();
  });

  it('reads a failed run: a failing command, a refused file and an error that explains the end', () => {
    const { state, activities } = replay(droidSpec, 'droid-failure.jsonl');
    expect(shape(activities)).toEqual([
      { kind: 'message', description: 'Running the build.' },
      { kind: 'tool_use', description: 'npm run build', toolName: 'Execute', command: 'npm run build' },
      { kind: 'command', description: 'npm run build', toolName: 'Execute', command: 'npm run build', exitCode: 2 },
      { kind: 'tool_use', description: '/etc/shop.conf', toolName: 'Create', filePath: '/etc/shop.conf' },
      { kind: 'error', description: 'Create /etc/shop.conf: Insufficient permission: writing outside the project needs --auto high', toolName: 'Create', filePath: '/etc/shop.conf' },
      { kind: 'error', description: "Exceeded the model's rate limit; giving up after 3 retries" },
    ]);
    // Not a refused credential: the exit code decides, the error explains it.
    expect(state).toMatchObject({ completed: false, lastError: "Exceeded the model's rate limit; giving up after 3 retries", finalText: 'Running the build.' });
    expect(state.failure).toBeUndefined();
    expect(state.authFailure).toBeUndefined();
  });

  it('tells a refused key apart', () => {
    const { state, activities } = replay(droidSpec, 'droid-auth-failure.jsonl');
    const message = 'Authentication failed: invalid API key (401 Unauthorized). Set FACTORY_API_KEY or run droid to log in.';
    expect(shape(activities)).toEqual([{ kind: 'error', description: message }]);
    expect(state).toMatchObject({ completed: false, failure: message, authFailure: true, lastError: message });
  });

  it('reads a failed completion and droid log lines', () => {
    const state: StreamState = { completed: false };
    expect(shape(droidSpec.interpret({ level: 'error', error: { name: 'AuthError', message: 'Not authenticated. Run droid to log in.' } }, state))).toEqual([
      { kind: 'error', description: 'Not authenticated. Run droid to log in.' },
    ]);
    expect(state.authFailure).toBe(true);
    const other: StreamState = { completed: false };
    droidSpec.interpret({ type: 'completion', finalText: 'Stopped: the task needs more permissions.', is_error: true, session_id: 's2' }, other);
    expect(other).toMatchObject({ completed: false, failure: 'Stopped: the task needs more permissions.', sessionId: 's2' });
    expect(other.authFailure).toBeFalsy();
  });

  it('skips malformed lines and unknown shapes, and still reads the good lines the same way', () => {
    const good = replay(droidSpec, 'droid-success.jsonl');
    const mixed = replay(droidSpec, 'droid-malformed.jsonl');
    // Garbage, two truncated objects, an array, a number and a boolean.
    expect(mixed.malformed).toBe(6);
    expect(shape(mixed.activities)).toEqual(shape(good.activities));
    expect(mixed.state).toEqual(good.state);
  });

  it('shows an ApplyPatch by its files and a completion whose text is new', () => {
    const state: StreamState = { completed: false };
    const patch = '*** Begin Patch\n*** Update File: /r/src/a.ts\n@@\n-a\n+b\n*** Add File: /r/src/b.ts\n+c\n*** End Patch';
    const events = [
      { type: 'system', subtype: 'init', cwd: '/r', session_id: 's3' },
      { type: 'tool_call', id: 'p1', toolName: 'ApplyPatch', parameters: { input: patch } },
      { type: 'tool_result', id: 'p1', toolId: 'ApplyPatch', isError: false, value: { file_path: '/r/src/a.ts', diff: '...' } },
      { type: 'completion', finalText: 'Done.', session_id: 's3' },
    ];
    const activities = events.flatMap((event) => droidSpec.interpret(event, state));
    expect(shape(activities)).toEqual([
      { kind: 'tool_use', description: 'src/a.ts, src/b.ts', toolName: 'ApplyPatch', filePath: 'src/a.ts' },
      { kind: 'file_change', description: 'edit src/a.ts, src/b.ts', toolName: 'ApplyPatch', filePath: 'src/a.ts', files: ['src/a.ts', 'src/b.ts'] },
      { kind: 'message', description: 'Done.' },
      { kind: 'completed', description: 'Completed' },
    ]);
    expect(state).toMatchObject({ completed: true, finalText: 'Done.', sessionId: 's3' });
  });

  it('builds an unattended command line', () => {
    expect(droidSpec.commandLine({ prompt: 'Do it', cwd: '/w', extraArgs: [] })).toEqual({ args: ['exec', '-o', 'stream-json', '--auto', 'medium', '--cwd', '/w', '--', 'Do it'] });
    expect(droidSpec.commandLine({ prompt: 'Do it', cwd: '/w', model: 'glm-4.6', resumeSession: 'sess-1', extraArgs: [] }).args).toEqual([
      'exec',
      '-o',
      'stream-json',
      '--auto',
      'medium',
      '--cwd',
      '/w',
      '--model',
      'glm-4.6',
      '--session-id',
      'sess-1',
      '--',
      'Do it',
    ]);
    // Extra args that set the autonomy replace the preset's, and come after the rest.
    expect(droidSpec.commandLine({ prompt: 'Do it', cwd: '/w', extraArgs: ['--auto', 'high'] }).args).toEqual(['exec', '-o', 'stream-json', '--cwd', '/w', '--auto', 'high', '--', 'Do it']);
    expect(droidSpec.commandLine({ prompt: 'Do it', cwd: '/w', extraArgs: ['--auto=low'] }).args).toEqual(['exec', '-o', 'stream-json', '--cwd', '/w', '--auto=low', '--', 'Do it']);
    expect(droidSpec.commandLine({ prompt: 'Do it', cwd: '/w', model: 'x', extraArgs: ['--skip-permissions-unsafe', '-m', 'gpt-5-codex', '-r', 'high'] }).args).toEqual([
      'exec',
      '-o',
      'stream-json',
      '--cwd',
      '/w',
      '--skip-permissions-unsafe',
      '-m',
      'gpt-5-codex',
      '-r',
      'high',
      '--',
      'Do it',
    ]);
    // A prompt that starts like an option is still the prompt.
    expect(droidSpec.commandLine({ prompt: '--help me', cwd: '/w', extraArgs: [] }).args.slice(-2)).toEqual(['--', '--help me']);
    expect(droidSpec.commandLine({ prompt: 'Do it', cwd: '/w', extraArgs: [] }).stdin).toBeUndefined();
  });

  it('names its executable, key and login', () => {
    expect(droidSpec).toMatchObject({ agent: 'droid', displayName: 'Droid', defaultCommand: 'droid', keyVariables: ['FACTORY_API_KEY'] });
    expect(droidSpec.authHint).toContain('FACTORY_API_KEY');
    expect(droidSpec.loginFiles.length).toBeGreaterThan(0);
  });
});

describe('odd events', () => {
  const odd: unknown[] = [
    null,
    [],
    7,
    'text',
    {},
    { type: 5 },
    { type: 'tool_call' },
    { type: 'tool_call', subtype: 'started', tool_call: null },
    { type: 'tool_call', subtype: 'started', tool_call: { shellToolCall: { args: { command: 42 } } } },
    { type: 'tool_call', subtype: 'completed', tool_call: { writeToolCall: { result: 'ok' } } },
    { type: 'tool_call', subtype: 'completed', tool_call: { function: { name: 7, arguments: '{bad' } } },
    { type: 'tool_call', toolName: 42, parameters: '{not json' },
    { type: 'tool_call', parameters: ['a'] },
    { type: 'tool_result' },
    { type: 'tool_result', error: 'boom', isError: true },
    { type: 'assistant', message: { content: 'plain text' } },
    { type: 'assistant', message: { content: [{ text: { nested: true } }] } },
    { type: 'message', role: 'assistant', text: ['x'] },
    { type: 'result', usage: 'lots', duration_ms: 'long' },
    { type: 'result', usage: { input_tokens: 'ten' } },
    { type: 'completion', usage: [1, 2], numTurns: 'many' },
    { type: 'error', error: { message: 5 } },
    { type: 'thinking', text: null },
    { type: 'system', cwd: { path: '/' }, timestamp: 1e300, timestamp_ms: -1e300 },
    { type: 'tool_result', id: 'x', timestamp: 'not a date' },
  ];

  it.each([
    ['Cursor', cursorSpec],
    ['Droid', droidSpec],
  ])('never make %s throw', (_name, spec) => {
    const state: StreamState = { completed: false };
    for (const event of odd) {
      expect(() => spec.interpret(event as Record<string, unknown>, state)).not.toThrow();
    }
    for (const event of [null, [], 7, 'text']) expect(spec.interpret(event as unknown as Record<string, unknown>, { completed: false })).toEqual([]);
  });
});
