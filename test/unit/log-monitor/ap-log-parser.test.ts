import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filePathIn } from '../../../src/workers/activity.js';
import { parseApLogLine } from '../../../src/workers/log-monitor/ap-log-parser.js';

const stamp = '[2025-10-08T10:36:45]';
const iso = '2025-10-08T10:36:45.000Z';

describe('parseApLogLine', () => {
  it.each([
    [`${stamp} TOOL: search_replace - Editing src/auth.py`, { kind: 'tool_use', toolName: 'search_replace', description: 'Editing src/auth.py', filePath: 'src/auth.py' }],
    [`${stamp} TOOL: read_file - Reading \`lib/util/strings.ts\` for context`, { kind: 'tool_use', toolName: 'read_file', description: 'Reading `lib/util/strings.ts` for context', filePath: 'lib/util/strings.ts' }],
    [`${stamp} TOOL: run_command - npm test`, { kind: 'tool_use', toolName: 'run_command', description: 'npm test' }],
    [`${stamp} TOOL: list_files`, { kind: 'tool_use', toolName: 'list_files', description: 'list_files' }],
    [`${stamp} TOOL: Looking around the repo`, { kind: 'tool_use', description: 'Looking around the repo' }],
    [`${stamp} THINKING: Which store owns sessions?`, { kind: 'reasoning', description: 'Which store owns sessions?' }],
    [`${stamp} REASONING: Two options`, { kind: 'reasoning', description: 'Two options' }],
    [`${stamp} CODING: Writing src/rate-limit.ts`, { kind: 'file_change', description: 'Writing src/rate-limit.ts', filePath: 'src/rate-limit.ts' }],
    [`${stamp} EDIT: Updated package.json, then README.md`, { kind: 'file_change', description: 'Updated package.json, then README.md', filePath: 'package.json' }],
    [`${stamp} TEST: vitest run`, { kind: 'testing', description: 'vitest run' }],
    [`${stamp} TESTING: Running tests/test_auth.py`, { kind: 'testing', description: 'Running tests/test_auth.py', filePath: 'tests/test_auth.py' }],
    [`${stamp} ERROR: Crashing with exit code 3`, { kind: 'error', description: 'Crashing with exit code 3' }],
    [`${stamp} DONE: Finished Add rate limiting`, { kind: 'completed', description: 'Finished Add rate limiting' }],
    [`${stamp} COMPLETED: all good`, { kind: 'completed', description: 'all good' }],
    [`${stamp} FAILED: could not build`, { kind: 'failed', description: 'could not build' }],
    [`${stamp} BLOCKED: waiting for credentials`, { kind: 'failed', description: 'waiting for credentials' }],
    [`${stamp} TASK: Starting objective-7 Add rate limiting`, { kind: 'message', description: 'Starting objective-7 Add rate limiting' }],
    [`${stamp} INFO: Waiting for the lock`, { kind: 'message', description: 'Waiting for the lock' }],
    [`${stamp} PROGRESS_2: 40% (scanning lib/a.js)`, { kind: 'message', description: '40% (scanning lib/a.js)', filePath: 'lib/a.js' }],
    [`${stamp} tool: edit_file - Fixing a.ts`, { kind: 'tool_use', toolName: 'edit_file', description: 'Fixing a.ts', filePath: 'a.ts' }],
    [`${stamp} Done: ok`, { kind: 'completed', description: 'ok' }],
    [`${stamp} DONE:`, { kind: 'completed', description: '' }],
  ])('%s', (line, expected) => {
    expect(parseApLogLine(line)).toStrictEqual({ timestamp: iso, source: 'log', ...expected });
  });

  it('keeps the source it is given', () => {
    expect(parseApLogLine(`${stamp} INFO: hi`, 'worker-log')?.source).toBe('worker-log');
  });

  it('drops CR, trailing blanks, leading blanks and a byte-order mark', () => {
    expect(parseApLogLine(`\uFEFF  ${stamp}   TOOL:   write_file - Writing x.ts  \r`)).toStrictEqual({
      kind: 'tool_use',
      toolName: 'write_file',
      description: 'Writing x.ts',
      filePath: 'x.ts',
      timestamp: iso,
      source: 'log',
    });
  });

  it.each([
    ['[2025-10-08T10:36:45.123Z] INFO: x', '2025-10-08T10:36:45.123Z'],
    ['[2025-10-08T10:36:45.5] INFO: x', '2025-10-08T10:36:45.500Z'],
    ['[2025-10-08T12:36:45+02:00] INFO: x', '2025-10-08T10:36:45.000Z'],
    ['[2025-10-08 10:36:45] INFO: x', '2025-10-08T10:36:45.000Z'],
    ['[ 2025-10-08T10:36:45 ] INFO: x', '2025-10-08T10:36:45.000Z'],
  ])('reads the stamp of %s as %s', (line, expected) => {
    expect(parseApLogLine(line)?.timestamp).toBe(expected);
  });

  it.each(['[10:36:45] INFO: x', '[2025-13-45T10:36:45] INFO: x', '[worker-1] INFO: x'])('stamps %s with the time it was seen', (line) => {
    const before = Date.now();
    const timestamp = parseApLogLine(line)?.timestamp ?? '';
    expect(timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Date.parse(timestamp)).toBeGreaterThanOrEqual(before - 1);
  });

  it.each([
    '',
    '   ',
    '\r',
    'hello world',
    'TOOL: read_file - no stamp',
    '[unclosed TOOL: x',
    '[] TOOL: empty stamp',
    `${stamp}`,
    `${stamp} no type here`,
    `${stamp} TOOL x`,
    `${stamp} : no type`,
    `${stamp} TWO WORDS: x`,
    `${stamp} ${'A'.repeat(40)}: too long for a type`,
    '{"type":"turn.started"}',
    '\u0000\u0001\uFFFD\uFFFD[\u0007',
  ])('returns null for %j', (line) => {
    expect(parseApLogLine(line)).toBeNull();
  });

  it('parses a huge line quickly and still finds the path at its start', () => {
    const line = `${stamp} TOOL: write_file - Writing src/big.ts ${'x'.repeat(2_000_000)}`;
    const started = performance.now();
    const parsed = parseApLogLine(line);
    expect(performance.now() - started).toBeLessThan(200);
    expect(parsed).toMatchObject({ kind: 'tool_use', toolName: 'write_file', filePath: 'src/big.ts' });
    expect(parsed?.description.length).toBe(line.length - `${stamp} TOOL: write_file - `.length);
  });

  it('survives a huge line of dots and slashes without backtracking', () => {
    const line = `${stamp} INFO: ${'a/.'.repeat(300_000)}`;
    const started = performance.now();
    expect(parseApLogLine(line)?.kind).toBe('message');
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('finds the same file path as filePathIn', () => {
    const character = fc.constantFrom('a', 'B', '7', '_', '-', '.', '/', ' ', '`', "'", '"', ':', ',', ')', '(', ';', 'ts', 'py', '\t', '\u00a0', '\u3000', 'é');
    fc.assert(
      fc.property(fc.string({ unit: character, maxLength: 40 }), (text) => {
        const parsed = parseApLogLine(`${stamp} INFO: ${text}`);
        expect(parsed).not.toBeNull();
        expect(parsed!.filePath).toBe(filePathIn(parsed!.description));
      }),
      { numRuns: 5000 },
    );
  });
});
