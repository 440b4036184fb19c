import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../core/errors/config-error.js';
import { configErrorFromZod } from './config-error-from-zod.js';
import { normalizeWorkers } from './normalize-workers.js';
import { teamFileSchema, type TeamFile } from './team-file-schema.js';
import type { WorkerConfig } from './worker-config.js';

export const defaultGlobalForbid = ['.git/', 'node_modules/', '.env', 'dist/', 'build/', '.ap/'] as const;

export interface OrchestratorConfig {
  /** Absolute path of the target repository. */
  readonly repo: string;
  /** The team file that was read, or null when the defaults apply. */
  readonly teamFile: string | null;
  /** Absolute path of the state folder (database, worktrees). */
  readonly stateDir: string;
  readonly globalForbid: readonly string[];
  readonly autoApprove: boolean;
  readonly workers: readonly WorkerConfig[];
  /** Command run on the integration branch after each wave, or null. */
  readonly verify: { readonly command: string; readonly timeoutSeconds: number } | null;
  /** Attempts per objective (the first try plus retries). */
  readonly maxAttempts: number;
  /** Follow worker log files from their start (true) or from their end (false). */
  readonly logsFromStart: boolean;
}

export interface ConfigOverrides {
  /** Explicit team.json path (flag or tool argument). */
  teamFile?: string;
  stateDir?: string;
  autoApprove?: boolean;
}

/**
 * The one place configuration is merged: defaults, then team.json, then `AP_*` environment
 * variables, then flags. The result is frozen. Every error names the file, the field and the fix.
 */
export function loadConfig(repo: string, overrides: ConfigOverrides = {}, environment: NodeJS.ProcessEnv = process.env): OrchestratorConfig {
  const teamFile = locateTeamFile(repo, overrides.teamFile ?? environment.AP_TEAM);
  const team = teamFile ? readTeamFile(teamFile) : {};

  const stateDirSetting = overrides.stateDir ?? environment.AP_STATE_DIR ?? team.stateDir ?? team.state_dir ?? '.ap';
  const stateDir = isAbsolute(stateDirSetting) ? stateDirSetting : resolve(repo, stateDirSetting);

  let globalForbid: readonly string[] = team.globalForbid ?? team.global_forbid ?? defaultGlobalForbid;
  if (environment.AP_GLOBAL_FORBID !== undefined) {
    globalForbid = environment.AP_GLOBAL_FORBID.split(',').map((entry) => entry.trim()).filter(Boolean);
  }
  const autoApprove = overrides.autoApprove ?? parseBoolean(environment.AP_AUTO_APPROVE, 'AP_AUTO_APPROVE') ?? team.autoApprove ?? team.auto_approve ?? false;

  return Object.freeze({
    repo,
    teamFile,
    stateDir,
    globalForbid: Object.freeze([...globalForbid]),
    autoApprove,
    workers: Object.freeze(workersFor(team, teamFile, stateDir, environment)),
    verify: verifyFor(team),
    maxAttempts: team.maxAttempts ?? (team.max_retries !== undefined ? team.max_retries + 1 : 2),
    logsFromStart: parseBoolean(environment.AP_LOGS_FROM_START, 'AP_LOGS_FROM_START') ?? team.logsFromStart ?? false,
  });
}

/** Three built-in workers when team.json lists none: the whole cycle runs with no API key. */
const defaultWorkers = [{ id: 'builtin-1', agent: 'builtin' }, { id: 'builtin-2', agent: 'builtin' }, { id: 'builtin-3', agent: 'builtin' }];

function workersFor(team: TeamFile, teamFile: string | null, stateDir: string, environment: NodeJS.ProcessEnv): WorkerConfig[] {
  const workers = normalizeWorkers(team.workers ?? defaultWorkers, teamFile ?? 'built-in defaults', environment);
  if (!workers.some((worker) => worker.enabled)) {
    throw new ConfigError(teamFile ?? 'team.json', 'workers', 'No worker is enabled.', 'Enable at least one worker ("enabled": true), or remove "workers" to use the built-in ones.');
  }
  // Built-in workers write AP log lines into the state folder, where the log monitor follows them.
  return workers.map((worker) => {
    if (worker.agent !== 'builtin' || worker.logPaths.length > 0) return worker;
    const logPath = join(stateDir, 'logs', `${worker.id}.log`);
    return { ...worker, args: [...worker.args, '--log', logPath], logPaths: [logPath] };
  });
}

function verifyFor(team: TeamFile): OrchestratorConfig['verify'] {
  const defaultTimeoutSeconds = 600;
  if (typeof team.verify === 'string') return { command: team.verify, timeoutSeconds: defaultTimeoutSeconds };
  if (team.verify) return { command: team.verify.command, timeoutSeconds: team.verify.timeoutSeconds ?? defaultTimeoutSeconds };
  if (team.quality_gates?.test_command) return { command: team.quality_gates.test_command, timeoutSeconds: team.quality_gates.timeout ?? defaultTimeoutSeconds };
  return null;
}

function locateTeamFile(repo: string, explicit: string | undefined): string | null {
  if (explicit) {
    const path = resolve(explicit);
    if (!existsSync(path)) throw new ConfigError(path, '', 'The team file does not exist.', 'Pass the path of an existing team.json, or leave it out to use the defaults.');
    return path;
  }
  const candidate = join(repo, 'team.json');
  return existsSync(candidate) ? candidate : null;
}

export function readTeamFile(path: string): TeamFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, '', `Cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, 'Check the path and its permissions.');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(path, '', `Not valid JSON: ${(error as Error).message}.`, 'Fix the JSON syntax (a JSON linter shows where).');
  }
  const parsed = teamFileSchema.safeParse(json);
  if (!parsed.success) throw configErrorFromZod(path, parsed.error);
  return parsed.data;
}

function parseBoolean(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`environment variable ${name}`, '', `"${value}" is not a boolean.`, 'Use 1/true/yes or 0/false/no.');
}
