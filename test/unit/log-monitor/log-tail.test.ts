import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogTail, type LogTailOptions } from '../../../src/workers/log-monitor/log-tail.js';

let folder: string;
let path: string;
const tails: LogTail[] = [];

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'ap-log-tail-'));
  path = join(folder, 'worker.log');
});

afterEach(async () => {
  await Promise.all(tails.splice(0).map((tail) => tail.close()));
  rmSync(folder, { recursive: true, force: true });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function follow(options: Partial<LogTailOptions> = {}, target = path) {
  const lines: string[] = [];
  const errors: Error[] = [];
  const tail = new LogTail(target, { fromStart: true, onLine: (line) => lines.push(line), onError: (error) => errors.push(error), ...options });
  tails.push(tail);
  await tail.start();
  return { tail, lines, errors };
}

/** Quiet time for events that must not arrive (the safety timer runs every 250 ms). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('LogTail', () => {
  it('reads what is there from the start, then appends, within 50 ms each', async () => {
    writeFileSync(path, 'one\ntwo\n');
    const { lines } = await follow();
    expect(lines).toStrictEqual(['one', 'two']);
    for (const line of ['three', 'four', 'five']) {
      const written = performance.now();
      appendFileSync(path, `${line}\n`);
      await waitFor(() => lines.at(-1) === line);
      expect(performance.now() - written).toBeLessThan(50);
    }
    expect(lines).toStrictEqual(['one', 'two', 'three', 'four', 'five']);
  });

  it('skips what is there when not reading from the start', async () => {
    writeFileSync(path, 'old\n');
    const { lines } = await follow({ fromStart: false });
    appendFileSync(path, 'new\n');
    await waitFor(() => lines.length === 1);
    await settle();
    expect(lines).toStrictEqual(['new']);
  });

  it('holds a partial line until its newline arrives', async () => {
    const { lines } = await follow();
    appendFileSync(path, 'half of a li');
    await settle();
    expect(lines).toStrictEqual([]);
    appendFileSync(path, 'ne\nnext\n');
    await waitFor(() => lines.length === 2);
    expect(lines).toStrictEqual(['half of a line', 'next']);
  });

  it('flushes a partial last line on close, and close can be called twice', async () => {
    const { tail, lines } = await follow();
    appendFileSync(path, 'complete\nno newline yet');
    await tail.close();
    await tail.close();
    expect(lines).toStrictEqual(['complete', 'no newline yet']);
  });

  it('starts over when the file is truncated', async () => {
    writeFileSync(path, 'a long first line\nand a second\n');
    const { lines } = await follow();
    writeFileSync(path, 'fresh\n');
    await waitFor(() => lines.length === 3);
    truncateSync(path, 0);
    await settle();
    appendFileSync(path, 'after truncate\n');
    await waitFor(() => lines.length === 4);
    expect(lines).toStrictEqual(['a long first line', 'and a second', 'fresh', 'after truncate']);
  });

  it('follows a rotation: finishes the renamed file, then reads the new one from its start', async () => {
    writeFileSync(path, 'before\n');
    const { lines } = await follow();
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, 'last words of the old file\n');
    writeFileSync(path, 'first of the new file\n');
    await waitFor(() => lines.length === 3);
    appendFileSync(path, 'second of the new file\n');
    await waitFor(() => lines.length === 4);
    expect(lines).toStrictEqual(['before', 'last words of the old file', 'first of the new file', 'second of the new file']);
  });

  it('follows a delete and a later re-creation', async () => {
    writeFileSync(path, 'one\n');
    const { lines } = await follow();
    unlinkSync(path);
    await settle();
    writeFileSync(path, 'two\n');
    await waitFor(() => lines.length === 2);
    expect(lines).toStrictEqual(['one', 'two']);
  });

  it('waits for a file that does not exist yet and reads it whole', async () => {
    const { lines } = await follow({ fromStart: false });
    await settle();
    const written = performance.now();
    writeFileSync(path, 'created later\n');
    await waitFor(() => lines.length === 1);
    expect(performance.now() - written).toBeLessThan(50);
    expect(lines).toStrictEqual(['created later']);
  });

  it('waits for a folder that does not exist yet', async () => {
    const late = join(folder, 'later', 'worker.log');
    const { lines, errors } = await follow({ pollIntervalMs: 20 }, late);
    mkdirSync(join(folder, 'later'));
    writeFileSync(late, 'hello\n');
    await waitFor(() => lines.length === 1);
    expect(lines).toStrictEqual(['hello']);
    expect(errors).toStrictEqual([]);
  });

  it('delivers a 1 MB line whole', async () => {
    const { lines } = await follow();
    const big = 'x'.repeat(1_000_000);
    appendFileSync(path, `${big}\nafter\n`);
    await waitFor(() => lines.length === 2);
    expect(lines[0]).toBe(big);
    expect(lines[1]).toBe('after');
  });

  it('cuts a line longer than the cap, marks it, and keeps going', async () => {
    const { lines } = await follow({ maxLineBytes: 1000 });
    appendFileSync(path, `${'a'.repeat(2500)}\n${'b'.repeat(999)}\nshort\n`);
    await waitFor(() => lines.length === 3);
    expect(lines[0]).toBe(`${'a'.repeat(1000)} [line cut: 1500 more bytes]`);
    expect(lines[1]).toBe('b'.repeat(999));
    expect(lines[2]).toBe('short');
  });

  it('cuts a line that grows across many writes without holding it all', async () => {
    const { lines } = await follow({ maxLineBytes: 100 });
    for (let index = 0; index < 50; index += 1) appendFileSync(path, 'z'.repeat(100));
    appendFileSync(path, '\nok\n');
    await waitFor(() => lines.length === 2);
    expect(lines).toStrictEqual([`${'z'.repeat(100)} [line cut: 4900 more bytes]`, 'ok']);
  });

  it('decodes invalid UTF-8 and binary garbage with replacement characters, and good lines still arrive', async () => {
    const { lines, errors } = await follow();
    appendFileSync(path, Buffer.from([0xff, 0xfe, 0x80, 0x0a]));
    appendFileSync(path, Buffer.from([0x00, 0x01, 0xc3, 0x28, 0x1b, 0x5b, 0x0a]));
    appendFileSync(path, 'good line\n');
    await waitFor(() => lines.length === 3);
    expect(lines[0]).toBe('\uFFFD\uFFFD\uFFFD');
    expect(lines[1]).toBe('\u0000\u0001\uFFFD(\u001b[');
    expect(lines[2]).toBe('good line');
    expect(errors).toStrictEqual([]);
  });

  it('joins a multi-byte character split across writes', async () => {
    const { lines } = await follow();
    const euro = Buffer.from('price: €5\n');
    appendFileSync(path, euro.subarray(0, 8));
    await settle();
    appendFileSync(path, euro.subarray(8));
    await waitFor(() => lines.length === 1);
    expect(lines).toStrictEqual(['price: €5']);
  });

  it('strips CRLF line ends, also when CR and LF come in separate writes', async () => {
    const { lines } = await follow();
    appendFileSync(path, 'windows\r\nline\r');
    await settle();
    appendFileSync(path, '\n\r\nlast\r\n');
    await waitFor(() => lines.length === 4);
    expect(lines).toStrictEqual(['windows', 'line', '', 'last']);
  });

  it('reports a path that is not a file once, not on every look', async () => {
    mkdirSync(join(folder, 'a-folder'));
    const { errors } = await follow({ pollIntervalMs: 10 }, join(folder, 'a-folder'));
    await settle();
    expect(errors.length).toBe(1);
    expect(errors[0]?.message).toMatch(/not a regular file/);
  });

  it('keeps going when the line handler throws', async () => {
    const seen: string[] = [];
    const { errors } = await follow({
      onLine: (line) => {
        seen.push(line);
        if (line === 'bad') throw new Error('handler failed');
      },
    });
    appendFileSync(path, 'bad\ngood\n');
    await waitFor(() => seen.length === 2);
    expect(errors.map((error) => error.message)).toStrictEqual(['handler failed']);
  });

  it('leaves no watcher or timer behind after close', async () => {
    const before = resourceCounts();
    writeFileSync(path, 'x\n');
    const { tail } = await follow();
    expect(resourceCounts().FSEventWrap ?? 0).toBeGreaterThan(before.FSEventWrap ?? 0);
    await tail.close();
    const after = resourceCounts();
    expect(after.FSEventWrap ?? 0).toBe(before.FSEventWrap ?? 0);
    expect(after.Timeout ?? 0).toBeLessThanOrEqual(before.Timeout ?? 0);
  });
});

function resourceCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}
