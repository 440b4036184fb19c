import { execFile } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Activity } from '../../../src/workers/activity.js';
import { LogMonitor, type LogMonitorOptions } from '../../../src/workers/log-monitor/log-monitor.js';

let folder: string;
const monitors: LogMonitor[] = [];

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'ap-log-monitor-'));
});

afterEach(async () => {
  await Promise.all(monitors.splice(0).map((monitor) => monitor.close()));
  rmSync(folder, { recursive: true, force: true });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function write(path: string, content: string): string {
  const absolute = join(folder, path);
  mkdirSync(join(absolute, '..'), { recursive: true });
  writeFileSync(absolute, content);
  return absolute;
}

async function monitor(options: Partial<LogMonitorOptions> & Pick<LogMonitorOptions, 'sources'>) {
  const seen: { workerId: string; activity: Activity }[] = [];
  const errors: { workerId: string; error: Error }[] = [];
  const instance = new LogMonitor({
    fromStart: true,
    onActivity: (workerId, activity) => seen.push({ workerId, activity }),
    onError: (workerId, error) => errors.push({ workerId, error }),
    ...options,
  });
  monitors.push(instance);
  await instance.start();
  const descriptions = (workerId: string) => seen.filter((entry) => entry.workerId === workerId).map((entry) => entry.activity.description);
  return { instance, seen, errors, descriptions };
}

const ap = (type: string, text: string) => `[2025-10-08T10:36:45] ${type}: ${text}\n`;

describe('LogMonitor', () => {
  it('follows two workers through globs and keeps their activities apart', async () => {
    write('alpha/run-1.log', ap('TOOL', 'write_file - Writing src/a.ts'));
    write('alpha/notes.txt', ap('INFO', 'not a log: the glob does not match it'));
    write('beta/2025/10/session.jsonl', '{"type":"item.completed","item":{"type":"agent_message","text":"hello from beta"}}\n');
    const { seen, descriptions } = await monitor({
      sources: [
        { workerId: 'alpha', patterns: [join(folder, 'alpha/*.log')], format: 'ap' },
        { workerId: 'beta', patterns: [join(folder, 'beta/**/*.jsonl')], format: 'jsonl' },
      ],
    });
    expect(descriptions('alpha')).toStrictEqual(['Writing src/a.ts']);
    expect(descriptions('beta')).toStrictEqual(['hello from beta']);
    expect(seen.find((entry) => entry.workerId === 'alpha')?.activity).toMatchObject({ kind: 'tool_use', toolName: 'write_file', filePath: 'src/a.ts', source: 'log' });

    appendFileSync(join(folder, 'alpha/run-1.log'), ap('DONE', 'finished'));
    appendFileSync(join(folder, 'beta/2025/10/session.jsonl'), '{"type":"turn.completed","usage":{"input_tokens":5,"output_tokens":2}}\n');
    await waitFor(() => seen.length === 4);
    expect(descriptions('alpha')).toStrictEqual(['Writing src/a.ts', 'finished']);
    expect(seen.at(-1)?.workerId === 'beta' || seen.at(-2)?.workerId === 'beta').toBe(true);
    expect(seen.filter((entry) => entry.workerId === 'beta').map((entry) => entry.activity.kind)).toStrictEqual(['message', 'usage']);
  });

  it('picks up files created after start and reads them whole, even when skipping old content', async () => {
    write('logs/old.log', ap('INFO', 'old content'));
    const { seen, descriptions } = await monitor({ fromStart: false, sources: [{ workerId: 'w', patterns: [join(folder, 'logs/*.log')], format: 'ap' }] });
    expect(seen).toStrictEqual([]);
    write('logs/new.log', ap('TASK', 'first') + ap('TASK', 'second'));
    await waitFor(() => seen.length === 2);
    appendFileSync(join(folder, 'logs/old.log'), ap('INFO', 'appended to old'));
    await waitFor(() => seen.length === 3);
    expect(descriptions('w').sort()).toStrictEqual(['appended to old', 'first', 'second']);
  });

  it('waits for the static folder of a glob to appear, and reads what comes in it whole', async () => {
    const { seen } = await monitor({ fromStart: false, pollIntervalMs: 20, sources: [{ workerId: 'w', patterns: [join(folder, 'not-yet/*.log')], format: 'ap' }] });
    write('not-yet/a.log', ap('INFO', 'arrived'));
    await waitFor(() => seen.length === 1);
    expect(seen[0]?.activity.description).toBe('arrived');
  });

  it('expands ~ with the configured home folder and resolves relative patterns from cwd', async () => {
    const home = join(folder, 'home');
    write('home/.agent/logs/worker.log', ap('INFO', 'from home'));
    write('project/logs/plain.log', ap('INFO', 'from cwd'));
    const { descriptions } = await monitor({
      homeDirectory: home,
      cwd: join(folder, 'project'),
      sources: [
        { workerId: 'home', patterns: ['~/.agent/logs/*.log'], format: 'ap' },
        { workerId: 'cwd', patterns: ['logs/plain.log'], format: 'ap' },
      ],
    });
    expect(descriptions('home')).toStrictEqual(['from home']);
    expect(descriptions('cwd')).toStrictEqual(['from cwd']);
  });

  it('follows a plain path that does not exist yet', async () => {
    const { seen } = await monitor({ fromStart: false, sources: [{ workerId: 'w', patterns: [join(folder, 'later.log')], format: 'ap' }] });
    write('later.log', ap('INFO', 'now it exists'));
    await waitFor(() => seen.length === 1);
  });

  it('counts lines, activities and malformed lines, and lines after a bad one still arrive', async () => {
    write(
      'mixed.log',
      [
        ap('INFO', 'an AP line').trimEnd(),
        '{"type":"item.completed","item":{"type":"reasoning","text":"a JSONL line"}}',
        '',
        '   ',
        'plain garbage',
        '{"type": broken json',
        '{"type":"thread.started"}',
        '\u0000\u0001\u0002',
        ap('DONE', 'after the bad ones').trimEnd(),
      ].join('\n') + '\n',
    );
    const { instance, descriptions } = await monitor({ sources: [{ workerId: 'w', patterns: [join(folder, 'mixed.log')], format: 'auto' }] });
    expect(descriptions('w')).toStrictEqual(['an AP line', 'a JSONL line', 'after the bad ones']);
    expect(instance.stats()).toStrictEqual({ files: 1, lines: 9, activities: 3, malformed: 3 });
  });

  it('counts a JSONL line in an AP-only source as malformed, and the reverse', async () => {
    write('ap-only.log', '{"type":"turn.started"}\n');
    write('jsonl-only.jsonl', ap('INFO', 'not JSON'));
    const { instance, seen } = await monitor({
      sources: [
        { workerId: 'a', patterns: [join(folder, 'ap-only.log')], format: 'ap' },
        { workerId: 'j', patterns: [join(folder, 'jsonl-only.jsonl')], format: 'jsonl' },
      ],
    });
    expect(seen).toStrictEqual([]);
    expect(instance.stats()).toMatchObject({ files: 2, lines: 2, activities: 0, malformed: 2 });
  });

  it('reports a throwing activity handler and keeps delivering', async () => {
    write('w.log', ap('INFO', 'one') + ap('INFO', 'two'));
    const delivered: string[] = [];
    const { errors } = await monitor({
      sources: [{ workerId: 'w', patterns: [join(folder, 'w.log')], format: 'ap' }],
      onActivity: (_workerId, activity) => {
        delivered.push(activity.description);
        if (activity.description === 'one') throw new Error('consumer failed');
      },
    });
    expect(delivered).toStrictEqual(['one', 'two']);
    expect(errors.map((entry) => [entry.workerId, entry.error.message])).toStrictEqual([['w', 'consumer failed']]);
  });

  it('follows a file matched twice for one worker only once', async () => {
    write('dup/x.log', ap('INFO', 'once'));
    const { seen, instance } = await monitor({ sources: [{ workerId: 'w', patterns: [join(folder, 'dup/*.log'), join(folder, 'dup/x.log')], format: 'ap' }] });
    expect(seen.length).toBe(1);
    expect(instance.stats().files).toBe(1);
  });

  it('lets go of a deleted file, and reads it whole when it comes back', async () => {
    const path = write('gone/a.log', ap('INFO', 'first life'));
    const { instance, descriptions } = await monitor({ sources: [{ workerId: 'w', patterns: [join(folder, 'gone/*.log')], format: 'ap' }] });
    expect(instance.stats().files).toBe(1);
    rmSync(path);
    await waitFor(() => instance.stats().files === 0);
    write('gone/a.log', ap('INFO', 'second life'));
    await waitFor(() => descriptions('w').length === 2);
    expect(descriptions('w')).toStrictEqual(['first life', 'second life']);
    expect(instance.stats().files).toBe(1);
  });

  it('stops everything on close: a process that starts and closes a monitor exits by itself', async () => {
    write('exit/a.log', ap('INFO', 'x'));
    const script = write(
      'exit-check.mts',
      [
        `import { LogMonitor } from ${JSON.stringify(fileURLToPath(new URL('../../../src/workers/log-monitor/log-monitor.ts', import.meta.url)))};`,
        `const monitor = new LogMonitor({ fromStart: true, onActivity: () => {}, sources: [{ workerId: 'w', format: 'auto', patterns: [${JSON.stringify(join(folder, 'exit/*.log'))}, ${JSON.stringify(join(folder, 'exit/plain.log'))}, ${JSON.stringify(join(folder, 'missing/**/*.log'))}] }] });`,
        'await monitor.start();',
        "if (monitor.stats().activities !== 1) throw new Error('monitor did not read the file');",
        'await monitor.close();',
        'await monitor.close();',
      ].join('\n'),
    );
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: root, timeout: 15_000 });
    await expect(run).resolves.toMatchObject({ stderr: '' });
  });

  it('leaves no watcher or timer behind in this process after close', async () => {
    const before = resourceCounts();
    write('res/a.log', ap('INFO', 'x'));
    const { instance } = await monitor({ sources: [{ workerId: 'w', patterns: [join(folder, 'res/*.log'), join(folder, 'nowhere/*.log')], format: 'ap' }] });
    expect(resourceCounts().FSEventWrap).toBeGreaterThan(before.FSEventWrap);
    await instance.close();
    await new Promise((resolve) => setImmediate(resolve));
    const after = resourceCounts();
    expect(after.FSEventWrap).toBe(before.FSEventWrap);
    // The test runner has timers of its own that come and go; a timer the monitor leaked (its
    // 250 ms safety poll) would stay, so the count must come back down within a second.
    const deadline = Date.now() + 1_000;
    while (resourceCounts().Timeout > before.Timeout && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(resourceCounts().Timeout).toBeLessThanOrEqual(before.Timeout);
  });
});

function resourceCounts(): { FSEventWrap: number; Timeout: number } {
  const names = process.getActiveResourcesInfo();
  return { FSEventWrap: names.filter((name) => name === 'FSEventWrap').length, Timeout: names.filter((name) => name === 'Timeout').length };
}
