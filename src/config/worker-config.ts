import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../core/errors/config-error.js';

export const agentKinds = ['builtin', 'mcp', 'codex', 'claude', 'gemini', 'cursor', 'droid'] as const;
export type AgentKind = (typeof agentKinds)[number];

/** How the orchestrator talks to a worker: as its MCP client, or by reading its JSONL stream. */
export type WorkerTransport = 'mcp' | 'jsonl';

export interface McpToolMapping {
  /** Tool to call on the worker. */
  name: string;
  /**
   * Tool arguments; string values may use {prompt}, {cwd}, {objectiveId}, {title}, {model}, and a
   * value of exactly "{edits}" passes the scripted edits array.
   */
  arguments: Record<string, unknown>;
}

export interface WorkerConfig {
  id: string;
  agent: AgentKind;
  transport: WorkerTransport;
  command: string;
  args: string[];
  /** Resolved environment entries listed for this worker (secrets included: never log them). */
  env: Record<string, string>;
  enabled: boolean;
  capabilities: string[];
  maxConcurrent: number;
  /** Seconds one objective may take on this worker. */
  timeoutSeconds: number;
  model?: string;
  /** AP or JSONL log files to follow (paths or globs, `~` expanded later). */
  logPaths: string[];
  /** For MCP workers. */
  tool: McpToolMapping;
}

/** Variables every worker gets from the orchestrator's environment, on top of its own `env`. */
export const environmentAllowlist = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TERM', 'TMPDIR', 'TZ', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SYSTEMROOT',
  // An agent behind a proxy reaches its model only through it.
  'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy',
];

const networkVariables = new Set(['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy']);

const cliPath = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const bundledWorkerPath = fileURLToPath(new URL('../../dist/builtin-worker.cjs', import.meta.url));

/** How to start the built-in worker: its bundle (one file, quick to load), else `ap-orchestrator worker`. */
function builtinWorkerArgs(): string[] {
  return existsSync(bundledWorkerPath) ? [bundledWorkerPath] : [cliPath, 'worker'];
}

const builtinTool: McpToolMapping = {
  name: 'run_objective',
  arguments: { prompt: '{prompt}', cwd: '{cwd}', objectiveId: '{objectiveId}', title: '{title}', edits: '{edits}' },
};

/** Defaults per agent kind: `{"id": "w1", "agent": "builtin"}` is a complete worker. */
export function presetFor(agent: AgentKind): Pick<WorkerConfig, 'transport' | 'command' | 'args' | 'tool' | 'capabilities'> {
  switch (agent) {
    case 'builtin':
      return { transport: 'mcp', command: process.execPath, args: builtinWorkerArgs(), tool: builtinTool, capabilities: ['scripted'] };
    case 'mcp':
      return { transport: 'mcp', command: '', args: [], tool: { name: 'run', arguments: { prompt: '{prompt}', cwd: '{cwd}' } }, capabilities: [] };
    case 'codex':
      return { transport: 'jsonl', command: 'codex', args: [], tool: builtinTool, capabilities: ['code'] };
    case 'claude':
      return { transport: 'jsonl', command: 'claude', args: [], tool: builtinTool, capabilities: ['code'] };
    case 'gemini':
      return { transport: 'jsonl', command: 'gemini', args: [], tool: builtinTool, capabilities: ['code'] };
    case 'cursor':
      return { transport: 'jsonl', command: 'cursor-agent', args: [], tool: builtinTool, capabilities: ['code'] };
    case 'droid':
      return { transport: 'jsonl', command: 'droid', args: [], tool: builtinTool, capabilities: ['code'] };
  }
}

/**
 * Expands `${VAR}` and `${VAR:-default}` from the orchestrator's environment. A variable that is
 * not set (and has no default) is an error naming the worker and the variable.
 */
export function expandVariables(value: string, environment: NodeJS.ProcessEnv, file: string, field: string, workerId: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_match, name: string, fallback: string | undefined) => {
    const found = environment[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    throw new ConfigError(file, field, `Worker "${workerId}" needs the environment variable ${name}, which is not set.`, `Export ${name} before starting ap-orchestrator, give a default with \${${name}:-value}, or disable the worker ("enabled": false).`);
  });
}

/** The environment a worker process starts with: the allowlist, then its own listed entries. */
export function workerEnvironment(worker: Pick<WorkerConfig, 'env' | 'agent'>, environment: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of environmentAllowlist) {
    // The built-in worker makes no network connections, and Node.js parses an extra CA bundle
    // at every start (~50 ms of CPU each, measured): a run starts many built-in workers at once.
    if (worker.agent === 'builtin' && networkVariables.has(name)) continue;
    const value = environment[name];
    if (value !== undefined) result[name] = value;
  }
  return { ...result, ...worker.env };
}
