import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { workerEnvironment, type WorkerConfig } from '../../../config/worker-config.js';
import type { AgentCliSpec } from './agent-cli-spec.js';

export interface AgentCredentials {
  /** Names of the key variables the worker gets (never their values). */
  keys: string[];
  /** Login files under the worker's home folder, relative to it. */
  logins: string[];
  /** Key variables set in the orchestrator's environment that the worker's env does not pass on. */
  unpassed: string[];
}

/** What a worker has to authenticate with: keys in its environment, a login under its HOME. */
export function credentialsOf(spec: AgentCliSpec, worker: WorkerConfig | undefined, environment: NodeJS.ProcessEnv = process.env): AgentCredentials {
  const workerEnv = worker ? workerEnvironment(worker, environment) : environment;
  const keys = spec.keyVariables.filter((name) => Boolean(workerEnv[name]));
  const home = workerEnv.HOME ?? homedir();
  const logins = spec.loginFiles.filter((file) => existsSync(join(home, file)));
  // A key in the orchestrator's environment reaches a worker only when its env lists it.
  const unpassed = worker && keys.length === 0 ? spec.keyVariables.filter((name) => Boolean(environment[name])) : [];
  return { keys, logins, unpassed };
}

/** What to tell the user when a worker has neither a key nor a login; null when it has one. */
export function credentialsAdvice(spec: AgentCliSpec, worker: WorkerConfig, credentials: AgentCredentials): string | null {
  if (credentials.keys.length > 0 || credentials.logins.length > 0) return null;
  const unpassed = credentials.unpassed[0];
  if (unpassed) return `${unpassed} is set here, but worker "${worker.id}" does not pass it on: add "env": {"${unpassed}": "\${${unpassed}}"} to it in team.json.`;
  return `No key or login found. ${spec.authHint}`;
}
