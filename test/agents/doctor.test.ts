import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
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
  ready: boolean;
  advice: string | null;
}

describe('ap-orchestrator doctor', () => {
  let repo: TempRepo;
  let home: string;
  const secret = 'sk-test-secret-value-4242';
  const run = (args: string[]) =>
    execa(process.execPath, [cliPath, 'doctor', '--repo', repo.root, ...args], {
      reject: false,
      // The agent CLIs this project installs, and no others: cursor-agent and droid are absent.
      env: { PATH: [dirname(agentCommands.codex), dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter), HOME: home, OPENAI_API_KEY: secret, ANTHROPIC_API_KEY: secret },
      extendEnv: false,
    });

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'ap-doctor-home-'));
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
    expect(of('codex')).toMatchObject({ version: expect.stringContaining('0.169.0'), keys: ['OPENAI_API_KEY'], workers: ['codex-1'], ready: true, advice: null });
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
    expect(result.stdout).not.toContain(secret);
  });
});
