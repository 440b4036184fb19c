/**
 * The command shell that runs the engine's git commands: what goes in comes out unchanged, a
 * command whose output cannot be kept fails instead of hanging, and finished commands do not
 * linger as zombies.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandRunner } from '../../src/run/command-runner.js';

/** Children of `parent` in the process table, with their state letter. */
function children(parent: number): { pid: number; state: string; name: string }[] {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [, name = '', state = '', ppid = ''] = /^\d+ \((.*)\) (\S) (\d+)/.exec(stat) ?? [];
      if (Number(ppid) === parent) found.push({ pid: Number(entry), state, name });
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}

describe('the command shell', () => {
  it('passes arguments, input, environment and output through unchanged, and reports exit codes', async () => {
    const runner = new CommandRunner();
    const odd = ["it's", 'two\nlines', '$(touch /tmp/never)', '`x`', 'back\\slash', '"quoted"', ''];
    const printed = await runner.run('printf', ['%s|', ...odd], { cwd: tmpdir() });
    expect(printed).toEqual({ code: 0, stdout: `${odd.join('|')}|`, stderr: '' });
    const echoed = await runner.run('sh', ['-c', 'cat; printf "%s" "$AP_TEST_VALUE" >&2; exit 3'], { cwd: tmpdir(), input: Buffer.from([0x61, 0x00, 0x62]), extraEnv: { AP_TEST_VALUE: "v'a l" } });
    expect(echoed).toEqual({ code: 3, stdout: 'a\0b', stderr: "v'a l" });
    const missing = await runner.run('git', ['status'], { cwd: join(tmpdir(), 'no-such-folder-here') });
    expect(missing.code).not.toBe(0);
    runner.close();
  });

  it('fails a command whose output cannot be kept instead of waiting for it forever', async () => {
    const runner = new CommandRunner();
    expect((await runner.run('true', [], { cwd: tmpdir() })).code).toBe(0);
    // Its output folder removed from under it (a cleaner, a logout clearing /dev/shm).
    for (const parent of ['/dev/shm', tmpdir()]) {
      try {
        for (const name of readdirSync(parent)) if (name.startsWith(`ap-commands-${process.pid}-`)) rmSync(join(parent, name), { recursive: true, force: true });
      } catch {
        // No such parent.
      }
    }
    const result = await runner.run('echo', ['hello'], { cwd: tmpdir() });
    expect(result.code === null || result.code !== 0).toBe(true);
    expect(result.stdout).toBe('');
    runner.close();
  });

  it('leaves no zombie behind once idle', async () => {
    const runner = new CommandRunner();
    const before = new Set(children(process.pid).map((child) => child.pid));
    await Promise.all(Array.from({ length: 30 }, (_unused, index) => runner.run('sh', ['-c', `exit ${index % 3}`], { cwd: tmpdir() })));
    const shell = children(process.pid).find((child) => !before.has(child.pid) && /sh$/.test(child.name));
    expect(shell).toBeDefined();
    const deadline = Date.now() + 5000;
    while (children(shell!.pid).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(children(shell!.pid)).toEqual([]);
    runner.close();
  });
});
