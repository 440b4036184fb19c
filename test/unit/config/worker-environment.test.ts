import { describe, expect, it } from 'vitest';
import { normalizeWorkers } from '../../../src/config/normalize-workers.js';
import { workerEnvironment } from '../../../src/config/worker-config.js';

const orchestrator = {
  PATH: '/usr/bin',
  HOME: '/home/me',
  SECRET_TOKEN: 'do-not-pass',
  OPENAI_API_KEY: 'sk-not-listed',
  HTTPS_PROXY: 'http://proxy:3128',
  NODE_EXTRA_CA_CERTS: '/etc/ssl/corporate.pem',
};

describe('the environment a worker gets', () => {
  it('is the allowlist plus what the worker lists, nothing else', () => {
    const [codex] = normalizeWorkers([{ id: 'codex-1', agent: 'codex', env: { CODEX_HOME: '/tmp/codex' } }], 'team.json', orchestrator);
    expect(workerEnvironment(codex!, orchestrator)).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/me',
      HTTPS_PROXY: 'http://proxy:3128',
      NODE_EXTRA_CA_CERTS: '/etc/ssl/corporate.pem',
      CODEX_HOME: '/tmp/codex',
    });
  });

  it('leaves the CA bundle and proxies out for the built-in worker, which opens no connection', () => {
    const [builtin] = normalizeWorkers([{ id: 'builtin-1', agent: 'builtin' }], 'team.json', orchestrator);
    expect(workerEnvironment(builtin!, orchestrator)).toEqual({ PATH: '/usr/bin', HOME: '/home/me' });
  });
});
