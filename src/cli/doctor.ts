import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { workerEnvironment, type WorkerConfig } from '../config/worker-config.js';
import { agentSpecs } from '../workers/adapters/agents/index.js';
import type { AgentCliSpec } from '../workers/adapters/agents/agent-cli-spec.js';
import { credentialsAdvice, credentialsOf } from '../workers/adapters/agents/agent-credentials.js';
import { findExecutable } from '../workers/process/find-executable.js';

export interface AgentCheck {
  agent: string;
  name: string;
  command: string;
  /** Where the command was found, or null when it is not installed. */
  path: string | null;
  version: string | null;
  /** Names of key variables that are set (never their values). */
  keys: string[];
  /** Login files that exist, relative to the home folder. */
  logins: string[];
  /** Workers in team.json that use this agent. */
  workers: string[];
  /** Whether the agent could run a command in a scratch folder under its sandbox; null when not checked. */
  runsCommands: boolean | null;
  ready: boolean;
  advice: string | null;
}

export interface DoctorOptions {
  repo?: string;
  team?: string;
  json: boolean;
}

/**
 * Which agent CLIs this machine has, their versions, and whether a key or a login is there for
 * each. Secrets are never printed: only the names of the variables that are set.
 */
export async function runDoctor(options: DoctorOptions): Promise<number> {
  const repo = resolve(options.repo ?? process.cwd());
  let workers: readonly WorkerConfig[] = [];
  let configProblem: string | null = null;
  try {
    workers = loadConfig(repo, { teamFile: options.team }).workers;
  } catch (error) {
    configProblem = (error as Error).message;
  }
  const checks = await Promise.all(Object.values(agentSpecs).map((spec) => checkAgent(spec, workers.filter((worker) => worker.agent === spec.agent))));
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ agents: checks, teamFileProblem: configProblem }, null, 2)}\n`);
  } else {
    process.stdout.write(`${renderChecks(checks, configProblem)}\n`);
  }
  // Only agents team.json asks for decide the exit code: the rest is information.
  return checks.some((check) => check.workers.length > 0 && !check.ready) || configProblem ? 1 : 0;
}

async function checkAgent(spec: AgentCliSpec, workers: readonly WorkerConfig[]): Promise<AgentCheck> {
  const worker = workers.find((candidate) => candidate.enabled) ?? workers[0];
  const command = worker?.command ?? spec.defaultCommand;
  const environment = worker ? workerEnvironment(worker) : process.env;
  const path = findExecutable(command, environment.PATH) ?? null;
  const version = path ? await versionOf(path) : null;
  const credentials = credentialsOf(spec, worker);
  const commandProblem = path && spec.checkCommands ? await spec.checkCommands({ command: path, extraArgs: worker?.args ?? [], env: { ...spec.environment, ...stringEntries(environment) }, workerId: worker?.id }) : null;
  const runsCommands = path && spec.checkCommands ? commandProblem === null : null;
  const credentialed = credentials.keys.length > 0 || credentials.logins.length > 0;
  const ready = path !== null && credentialed && runsCommands !== false;
  const advice = !path
    ? `Install it: ${spec.installHint}${worker ? `, or set "command" of worker "${worker.id}" to its full path` : ''}.`
    : commandProblem
      ? commandProblem
      : ready
        ? null
        : worker
          ? credentialsAdvice(spec, worker, credentials)
          : `No key or login found. ${spec.authHint}`;
  return { agent: spec.agent, name: spec.displayName, command, path, version, keys: credentials.keys, logins: credentials.logins, workers: workers.map((candidate) => candidate.id), runsCommands, ready, advice };
}

function stringEntries(environment: NodeJS.ProcessEnv | Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function versionOf(path: string): Promise<string | null> {
  return new Promise((resolvePromise) => {
    execFile(path, ['--version'], { timeout: 20_000, env: process.env, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      const firstLine = `${stdout}\n${stderr}`.split(/\r?\n/).find((line) => /\d+\.\d+/.test(line));
      resolvePromise(error && !firstLine ? null : (firstLine?.trim() ?? null));
    });
  });
}

function renderChecks(checks: readonly AgentCheck[], configProblem: string | null): string {
  const lines = ['Agent CLIs on this machine:', ''];
  for (const check of checks) {
    const state = !check.path ? 'not installed' : check.ready ? 'ready' : check.runsCommands === false ? 'installed, cannot run commands' : 'installed, no credentials';
    lines.push(`${check.ready ? '✓' : check.path ? '!' : '✗'} ${check.name} (${check.agent}): ${state}`);
    if (check.path) lines.push(`    ${check.path}${check.version ? ` — ${check.version}` : ''}`);
    const credentials = [...check.keys.map((name) => `${name} is set`), ...check.logins.map((file) => `~/${file} exists`)];
    if (credentials.length > 0) lines.push(`    credentials: ${credentials.join(', ')}`);
    if (check.runsCommands !== null) lines.push(`    commands in its sandbox: ${check.runsCommands ? 'run' : 'fail'}`);
    if (check.workers.length > 0) lines.push(`    used by workers: ${check.workers.join(', ')}`);
    if (check.advice) lines.push(`    ${check.advice}`);
  }
  if (configProblem) lines.push('', `team.json: ${configProblem}`);
  return lines.join('\n');
}
