import { z } from 'zod';
import { ConfigError } from '../core/errors/config-error.js';
import { agentKinds, expandVariables, presetFor, type AgentKind, type WorkerConfig } from './worker-config.js';
import { configErrorFromZod } from './config-error-from-zod.js';

/** A worker entry in either format: the project's own keys or the original AP format's. */
const workerEntrySchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-"'),
    agent: z.enum(agentKinds).optional(),
    agent_type: z.string().optional(),
    transport: z.enum(['mcp', 'jsonl']).optional(),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    enabled: z.boolean().optional(),
    capabilities: z.array(z.string()).optional(),
    maxConcurrent: z.number().int().min(1).max(64).optional(),
    max_concurrent_tasks: z.number().int().min(1).max(64).optional(),
    timeoutSeconds: z.number().positive().max(86_400).optional(),
    timeout: z.number().positive().max(86_400).optional(),
    model: z.string().optional(),
    logPath: z.union([z.string(), z.array(z.string())]).optional(),
    tool: z.object({ name: z.string().min(1), arguments: z.record(z.string(), z.unknown()).optional() }).optional(),
    mcp_config: z
      .object({
        command: z.string().min(1),
        args: z.array(z.string()).optional(),
        env: z.record(z.string(), z.string()).optional(),
        log_path: z.union([z.string(), z.array(z.string())]).optional(),
      })
      .optional(),
  })
  .strict();

const defaultTimeoutSeconds = 1_800;

/** Validates and normalizes team.json's workers; errors name the file, the worker's field and the fix. */
export function normalizeWorkers(entries: readonly unknown[], file: string, environment: NodeJS.ProcessEnv): WorkerConfig[] {
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const parsed = workerEntrySchema.safeParse(entry);
    if (!parsed.success) throw configErrorFromZod(file, parsed.error, `workers[${index}]`, fixFor(parsed.error));
    const raw = parsed.data;
    const field = (name: string) => `workers[${index}].${name}`;
    if (seen.has(raw.id)) throw new ConfigError(file, field('id'), `The worker id "${raw.id}" is used twice.`, 'Give every worker its own id.');
    seen.add(raw.id);

    const agent = raw.agent ?? agentFromType(raw.agent_type, raw.mcp_config !== undefined, file, field('agent_type'));
    const preset = presetFor(agent);
    const command = raw.command ?? raw.mcp_config?.command ?? preset.command;
    if (!command) throw new ConfigError(file, field('command'), `Worker "${raw.id}" (agent "${agent}") has no command.`, 'Add "command" (and "args") that start the MCP worker server.');
    const env = { ...raw.mcp_config?.env, ...raw.env };
    const expandedEnv: Record<string, string> = {};
    const enabled = raw.enabled ?? true;
    for (const [name, value] of Object.entries(env)) {
      // A disabled worker may name variables this machine does not have.
      expandedEnv[name] = enabled ? expandVariables(value, environment, file, field(`env.${name}`), raw.id) : value;
    }
    const logPath = raw.logPath ?? raw.mcp_config?.log_path;
    return {
      id: raw.id,
      agent,
      transport: raw.transport ?? (raw.mcp_config ? 'mcp' : preset.transport),
      command,
      args: raw.args ?? raw.mcp_config?.args ?? preset.args,
      env: expandedEnv,
      enabled,
      capabilities: raw.capabilities ?? preset.capabilities,
      maxConcurrent: raw.maxConcurrent ?? raw.max_concurrent_tasks ?? 1,
      timeoutSeconds: raw.timeoutSeconds ?? raw.timeout ?? defaultTimeoutSeconds,
      model: raw.model,
      logPaths: logPath === undefined ? [] : Array.isArray(logPath) ? logPath : [logPath],
      tool: raw.tool ? { name: raw.tool.name, arguments: raw.tool.arguments ?? preset.tool.arguments } : preset.tool,
    };
  });
}

function agentFromType(agentType: string | undefined, hasMcpConfig: boolean, file: string, field: string): AgentKind {
  if (agentType === undefined) {
    if (hasMcpConfig) return 'mcp';
    throw new ConfigError(file, field.replace(/agent_type$/, 'agent'), 'The worker names no agent.', `Add "agent": one of ${agentKinds.join(', ')}.`);
  }
  const normalized = agentType.toLowerCase().replace(/[^a-z]/g, '');
  const aliases: Record<string, AgentKind> = { claudecode: 'claude', cursoragent: 'cursor', factory: 'droid', factorydroid: 'droid', geminicli: 'gemini' };
  const kind = aliases[normalized] ?? (agentKinds as readonly string[]).find((candidate) => candidate === normalized);
  // The original format runs every agent as an MCP server through mcp_config.
  if (kind && !hasMcpConfig) return kind as AgentKind;
  if (hasMcpConfig) return kind === 'builtin' ? 'builtin' : 'mcp';
  throw new ConfigError(file, field, `Unknown agent_type "${agentType}".`, `Use one of ${agentKinds.join(', ')}, or give "mcp_config" for any MCP worker.`);
}

function fixFor(error: z.ZodError): string {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') return `Remove or rename ${issue.keys.map((key) => `"${key}"`).join(', ')}; the README lists every worker field.`;
  if (issue.code === 'invalid_value') return `Use one of: ${issue.values.map((value) => JSON.stringify(value)).join(', ')}.`;
  return 'Correct the value; the README lists every worker field.';
}
