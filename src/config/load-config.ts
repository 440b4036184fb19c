import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../core/errors/config-error.js';
import { teamFileSchema, type TeamFile } from './team-file-schema.js';

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
  /** Raw worker entries; validated by the worker pool. */
  readonly workers: readonly Readonly<Record<string, unknown>>[];
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
    workers: Object.freeze([...(team.workers ?? [])]),
  });
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

export function configErrorFromZod(path: string, error: z.ZodError): ConfigError {
  const issue = error.issues[0]!;
  const field = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('').replace(/^\./, '');
  return new ConfigError(path, field || '(top level)', `${issue.message}.`, 'Correct the value; the README lists every team.json field.');
}

function parseBoolean(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`environment variable ${name}`, '', `"${value}" is not a boolean.`, 'Use 1/true/yes or 0/false/no.');
}
