#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { commands, helpText, type CommandSpec } from './cli/commands.js';
import { serverVersion } from './server/version.js';
import type { Workspace } from './store/workspace.js';

/** Thrown for a bad command line: printed with the command's usage, exit code 2. */
class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-v') {
    process.stdout.write(`${serverVersion}\n`);
    return 0;
  }
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    const command = commands.find((spec) => spec.name === argv[1]);
    process.stdout.write(`${helpText(command)}\n`);
    return 0;
  }
  const name = argv[0] === undefined || argv[0].startsWith('-') ? 'serve' : argv[0];
  const command = commands.find((spec) => spec.name === name);
  if (!command) throw new UsageError(`Unknown command "${name}". Commands: ${commands.map((spec) => spec.name).join(', ')}.`);
  const rest = name === argv[0] ? argv.slice(1) : argv;
  const flags = parseFlags(command, rest);
  if (flags.help) {
    process.stdout.write(`${helpText(command)}\n`);
    return 0;
  }

  // Each command loads only what it needs: the built-in worker, started many times per run, stays light.
  const { Workspace } = command.name === 'worker' || command.name === 'doctor' ? { Workspace: undefined } : await import('./store/workspace.js');
  const workspace = (): Workspace => new Workspace!(process.cwd(), { teamFile: string(flags.team), stateDir: string(flags['state-dir']) }).withDefaultRepo(string(flags.repo));
  const runToolCommand: typeof import('./cli/run-tool-command.js').runToolCommand = async (...args) => (await import('./cli/run-tool-command.js')).runToolCommand(...args);
  const json = flags.json === true;
  switch (command.name) {
    case 'serve': {
      const { dashboardSettings } = await import('./events/start-dashboard.js');
      await (await import('./cli/serve.js')).serve(workspace(), dashboardSettings(process.env, { port: string(flags['dashboard-port']) }));
      return -1;
    }
    case 'dashboard': {
      const { dashboardSettings } = await import('./events/start-dashboard.js');
      await (await import('./cli/serve-dashboard.js')).serveDashboard(workspace(), { ...dashboardSettings(process.env, { port: string(flags['dashboard-port']) }), enabled: true });
      return -1;
    }
    case 'analyze':
      return runToolCommand(workspace(), 'analyze', { repo: string(flags.repo), request: required(flags, 'request', command) }, json);
    case 'plan':
      return runToolCommand(
        workspace(),
        'plan',
        { analysisId: required(flags, 'analysis', command), objectives: readObjectives(string(flags.objectives)), approve: flags.approve === true, repo: string(flags.repo) },
        json,
      );
    case 'approve':
      return runToolCommand(workspace(), 'approve', { planId: required(flags, 'plan', command), repo: string(flags.repo) }, json);
    case 'execute': {
      const resume = string(flags.resume);
      if (!resume && !string(flags.plan)) throw Object.assign(new UsageError('--plan (or --resume) is required.'), { command });
      return (await import('./cli/run-execute-command.js')).runExecuteCommand(workspace(), { planId: string(flags.plan), runId: resume, resume: resume !== undefined, team: string(flags.team), repo: string(flags.repo) }, json);
    }
    case 'status': {
      const wait = string(flags.wait);
      const waitSeconds = wait === undefined ? 0 : Number(wait);
      if (!Number.isFinite(waitSeconds) || waitSeconds < 0 || waitSeconds > 50) throw Object.assign(new UsageError('--wait takes a number of seconds from 0 to 50.'), { command });
      return runToolCommand(workspace(), 'status', { runId: required(flags, 'run', command), waitSeconds, repo: string(flags.repo) }, json);
    }
    case 'cancel':
      return runToolCommand(workspace(), 'cancel', { runId: required(flags, 'run', command), repo: string(flags.repo) }, json);
    case 'report':
      return runToolCommand(workspace(), 'report', { runId: required(flags, 'run', command), repo: string(flags.repo) }, json);
    case 'worker':
      await (await import('./cli/serve-builtin-worker.js')).serveBuiltinWorker(string(flags.log));
      return -1;
    case 'doctor':
      return (await import('./cli/doctor.js')).runDoctor({ repo: string(flags.repo), team: string(flags.team), json });
    case 'demo':
      return (await import('./demo/run-demo.js')).runDemo({ clean: flags.clean === true, json, watch: flags.watch === true, startDelayMs: Number(string(flags['start-delay']) ?? 0) || 0 });
    default:
      throw new UsageError(`The command "${command.name}" has no handler.`);
  }
}

type Flags = Record<string, string | boolean | undefined>;

function parseFlags(command: CommandSpec, args: string[]): Flags {
  const options = Object.fromEntries(Object.entries(command.flags).map(([name, flag]) => [name, { type: flag.type }]));
  try {
    const { values, positionals } = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`);
    return values as Flags;
  } catch (error) {
    if (error instanceof UsageError) throw Object.assign(error, { command });
    throw Object.assign(new UsageError((error as Error).message), { command });
  }
}

function string(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function required(flags: Flags, name: string, command: CommandSpec): string {
  const value = string(flags[name]);
  if (!value) throw Object.assign(new UsageError(`--${name} is required.`), { command });
  return value;
}

function readObjectives(source: string | undefined): unknown {
  if (source === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read --objectives ${source}: ${(error as Error).message}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--objectives ${source} is not valid JSON: ${(error as Error).message}.`);
  }
  return Array.isArray(parsed) ? parsed : (parsed as { objectives?: unknown })?.objectives ?? parsed;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      const command = (error as UsageError & { command?: CommandSpec }).command;
      process.stderr.write(`ap-orchestrator: ${error.message}\n${command ? `Usage: ${command.usage}\nRun \`ap-orchestrator ${command.name} --help\` for details.\n` : 'Run `ap-orchestrator --help` for the commands.\n'}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`ap-orchestrator: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
