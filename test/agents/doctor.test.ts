import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath } from '../helpers/stdio-server.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';
import { agentCommands } from './agent-team.js';

interface Check {
  agent: string;
  path: string | null;
  version: string | null;
  keys: string[];
  workers: string[];
  runsCommands: boolean | null;
  ready: boolean;
  advice: string | null;
}

describe('ap-orchestrator doctor', () => {
  let repo: TempRepo;
  let home: string;
  const secret = 'sk-test-secret-value-4242';
  // Codex cannot run commands under bubblewrap when its home is inside TMPDIR: the home made in
  // the temporary folder gets a TMPDIR of its own, except where that case is the test.
  const run = (args: string[], environment: Record<string, string> = { TMPDIR: join(home, 'tmp') }) =>
    execa(process.execPath, [cliPath, 'doctor', '--repo', repo.root, ...args], {
      reject: false,
      // The agent CLIs this project installs, and no others: cursor-agent and droid are absent.
      env: { PATH: [dirname(agentCommands.codex), dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter), HOME: home, OPENAI_API_KEY: secret, ANTHROPIC_API_KEY: secret, ...environment },
      extendEnv: false,
    });

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'ap-doctor-home-'));
    mkdirSync(join(home, 'tmp'));
    repo = createTempRepo({
      'team.json': JSON.stringify({
        workers: [
          { id: 'codex-1', agent: 'codex', env: { OPENAI_API_KEY: '${OPENAI_API_KEY}' } },
          { id: 'claude-1', agent: 'claude' },
          { id: 'cursor-1', agent: 'cursor' },
        ],
      }),
    });
  });
  afterAll(() => {
    repo?.remove();
    rmSync(home, { recursive: true, force: true });
  });

  it('lists installed agents with versions and credentials, without printing a secret', async () => {
    const result = await run(['--json']);
    expect(result.stdout).not.toContain(secret);
    const { agents } = JSON.parse(result.stdout) as { agents: Check[] };
    const of = (agent: string) => agents.find((check) => check.agent === agent)!;
    expect(of('codex')).toMatchObject({ version: expect.stringContaining('0.169.0'), keys: ['OPENAI_API_KEY'], workers: ['codex-1'], runsCommands: true, ready: true, advice: null });
    expect(of('claude').runsCommands).toBe(null);
    expect(of('claude').version).toContain('2.1.197');
    expect(of('gemini').version).toContain('0.61.0');
    // A key the orchestrator has but the worker does not pass on is no key for the worker.
    expect(of('claude')).toMatchObject({ ready: false, keys: [] });
    expect(of('claude').advice).toBe('ANTHROPIC_API_KEY is set here, but worker "claude-1" does not pass it on: add "env": {"ANTHROPIC_API_KEY": "${ANTHROPIC_API_KEY}"} to it in team.json.');
    expect(of('cursor')).toMatchObject({ path: null, ready: false, workers: ['cursor-1'] });
    expect(of('cursor').advice).toMatch(/^Install it: /);
    expect(of('droid')).toMatchObject({ path: null, workers: [] });
    // Workers team.json asks for are not all ready.
    expect(result.exitCode).toBe(1);
  });

  it('prints a readable summary', async () => {
    const result = await run([]);
    expect(result.stdout).toContain('✓ Codex (codex): ready');
    expect(result.stdout).toContain('! Claude Code (claude): installed, no credentials');
    expect(result.stdout).toContain('✗ Cursor (cursor): not installed');
    expect(result.stdout).toContain('credentials: OPENAI_API_KEY is set');
    expect(result.stdout).toContain('commands in its sandbox: run');
    expect(result.stdout).not.toContain(secret);
  });

  it.skipIf(!existsSync('/usr/bin/bwrap'))('says when Codex cannot run commands in its sandbox, why, and how to fix it (bubblewrap installed, CODEX_HOME inside TMPDIR)', async () => {
    const result = await run(['--json'], { TMPDIR: tmpdir() });
    const codex = (JSON.parse(result.stdout) as { agents: Check[] }).agents.find((check) => check.agent === 'codex')!;
    expect(codex).toMatchObject({ runsCommands: false, ready: false });
    expect(codex.advice).toContain('Codex (worker "codex-1") cannot run commands in its workspace-write sandbox on this machine');
    expect(codex.advice).toContain(`CODEX_HOME is ${join(home, '.codex')}, inside TMPDIR ${tmpdir()}.`);
    expect(result.exitCode).toBe(1);
    expect((await run([], { TMPDIR: tmpdir() })).stdout).toContain('! Codex (codex): installed, cannot run commands');
  });
});
