import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultGlobalForbid, loadConfig } from '../../../src/config/load-config.js';

describe('loadConfig', () => {
  let repo: string;
  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'ap-config-'));
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('uses defaults without a team file, and freezes the result', () => {
    const config = loadConfig(repo, {}, {});
    expect(config.teamFile).toBeNull();
    expect(config.globalForbid).toEqual(defaultGlobalForbid);
    expect(config.stateDir).toBe(join(repo, '.ap'));
    expect(config.autoApprove).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the project format and the original AP format', () => {
    writeFileSync(join(repo, 'team.json'), JSON.stringify({ globalForbid: ['secrets/'], stateDir: 'state', autoApprove: true }));
    expect(loadConfig(repo, {}, {})).toMatchObject({ globalForbid: ['secrets/'], stateDir: join(repo, 'state'), autoApprove: true });
    writeFileSync(join(repo, 'team.json'), JSON.stringify({ global_forbid: ['vendor/'], workers: [{ id: 'codex-fast', agent_type: 'codex' }] }));
    expect(loadConfig(repo, {}, {})).toMatchObject({ globalForbid: ['vendor/'], workers: [{ id: 'codex-fast' }] });
  });

  it('lets the environment override the file and flags override both', () => {
    writeFileSync(join(repo, 'team.json'), JSON.stringify({ stateDir: 'from-file', autoApprove: false }));
    const environment = { AP_STATE_DIR: 'from-env', AP_AUTO_APPROVE: 'yes', AP_GLOBAL_FORBID: 'a/, b.txt' };
    expect(loadConfig(repo, {}, environment)).toMatchObject({ stateDir: join(repo, 'from-env'), autoApprove: true, globalForbid: ['a/', 'b.txt'], logsFromStart: false });
    expect(loadConfig(repo, {}, { AP_LOGS_FROM_START: '1' }).logsFromStart).toBe(true);
    expect(loadConfig(repo, { stateDir: '/abs/state', autoApprove: false }, environment)).toMatchObject({ stateDir: '/abs/state', autoApprove: false });
  });

  it.each([
    ['{"globalForbid": [', 'Not valid JSON', 'Fix: Fix the JSON syntax'],
    ['{"globalForbid": "src/"}', 'field globalForbid:', 'Fix: Correct the value'],
    ['{"workers": [1]}', 'field workers[0]:', 'Fix:'],
    ['{"autoApprove": "sometimes"}', 'field autoApprove:', 'expected boolean'],
  ])('names the file, the field and the fix for %s', (content, ...expected) => {
    writeFileSync(join(repo, 'team.json'), content);
    let message = '';
    try {
      loadConfig(repo, {}, {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(join(repo, 'team.json'));
    for (const fragment of expected) expect(message).toContain(fragment);
  });

  it('rejects a missing explicit team file and a non-boolean AP_AUTO_APPROVE', () => {
    expect(() => loadConfig(repo, { teamFile: join(repo, 'nope.json') }, {})).toThrow(/nope\.json: The team file does not exist/);
    expect(() => loadConfig(repo, {}, { AP_AUTO_APPROVE: 'maybe' })).toThrow(/AP_AUTO_APPROVE: "maybe" is not a boolean/);
  });
});
