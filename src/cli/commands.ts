/** Every CLI command with its flags and help text. The parser and `--help` both read this. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  description: string;
  value?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  flags: Record<string, FlagSpec>;
  examples: string[];
}

const repoFlag: FlagSpec = { type: 'string', value: 'DIR', description: 'Target repository (default: the current folder).' };
const teamFlag: FlagSpec = { type: 'string', value: 'FILE', description: 'team.json to use (default: <repo>/team.json if present, else built-in defaults).' };
const stateFlag: FlagSpec = { type: 'string', value: 'DIR', description: 'State folder for the database and worktrees (default: <repo>/.ap).' };
const dashboardPortFlag: FlagSpec = { type: 'string', value: 'PORT', description: 'Port of the live dashboard (default 8765 or AP_DASHBOARD_PORT; 0 picks a free one; AP_DASHBOARD=0 turns it off).' };
const jsonFlag: FlagSpec = { type: 'boolean', description: 'Print the structured result as JSON on stdout (for scripts).' };

export const commands: CommandSpec[] = [
  {
    name: 'serve',
    summary: 'Run the MCP server on stdio (the default when no command is given).',
    usage: 'ap-orchestrator [serve] [--repo DIR] [--team FILE] [--state-dir DIR] [--dashboard-port PORT]',
    flags: { repo: repoFlag, team: teamFlag, 'state-dir': stateFlag, 'dashboard-port': dashboardPortFlag },
    examples: ['claude mcp add ap-orchestrator -- npx ap-orchestrator --repo /path/to/repo'],
  },
  {
    name: 'analyze',
    summary: 'Analyze a repository for a request and save docs/analyses/ANALYSIS_<id>.md.',
    usage: 'ap-orchestrator analyze --request TEXT [--repo DIR] [--json]',
    flags: { request: { type: 'string', value: 'TEXT', description: 'What should be done.' }, repo: repoFlag, team: teamFlag, 'state-dir': stateFlag, json: jsonFlag },
    examples: ['ap-orchestrator analyze --repo ~/src/app --request "Add JWT login to auth"'],
  },
  {
    name: 'plan',
    summary: 'Plan objectives in waves from an analysis and save docs/plans/PLAN_<id>.md.',
    usage: 'ap-orchestrator plan --analysis ID [--objectives FILE|-] [--approve] [--repo DIR] [--json]',
    flags: {
      analysis: { type: 'string', value: 'ID', description: 'The analysisId printed by `analyze`.' },
      objectives: { type: 'string', value: 'FILE', description: 'JSON file with an objectives array (or {"objectives": [...]}); "-" reads stdin. Leave out to have objectives proposed.' },
      approve: { type: 'boolean', description: 'Approve the plan right away.' },
      repo: repoFlag,
      team: teamFlag,
      'state-dir': stateFlag,
      json: jsonFlag,
    },
    examples: ['ap-orchestrator plan --analysis an-20261125-130512-k3x9 --objectives objectives.json --approve'],
  },
  {
    name: 'approve',
    summary: 'Approve a draft plan.',
    usage: 'ap-orchestrator approve --plan ID [--repo DIR] [--json]',
    flags: { plan: { type: 'string', value: 'ID', description: 'The planId printed by `plan`.' }, repo: repoFlag, team: teamFlag, 'state-dir': stateFlag, json: jsonFlag },
    examples: ['ap-orchestrator approve --plan plan-20261125-130600-a1b2c3'],
  },
  {
    name: 'execute',
    summary: 'Run an approved plan in the foreground, printing events; Ctrl-C cancels. Prints the report at the end.',
    usage: 'ap-orchestrator execute --plan ID [--team FILE] [--repo DIR] [--json] | execute --resume RUN_ID',
    flags: {
      plan: { type: 'string', value: 'ID', description: 'The approved plan to run.' },
      resume: { type: 'string', value: 'RUN_ID', description: 'Continue an interrupted run instead.' },
      repo: repoFlag,
      team: teamFlag,
      'state-dir': stateFlag,
      json: jsonFlag,
    },
    examples: ['ap-orchestrator execute --plan plan-20261125-130600-a1b2c3', 'ap-orchestrator execute --resume run-20261125-131000-x1y2z3'],
  },
  {
    name: 'status',
    summary: "Show a run's phase, waves, objectives and workers.",
    usage: 'ap-orchestrator status --run ID [--wait SECONDS] [--repo DIR] [--json]',
    flags: {
      run: { type: 'string', value: 'ID', description: 'The run.' },
      wait: { type: 'string', value: 'SECONDS', description: 'Wait up to this long for something new first.' },
      repo: repoFlag,
      'state-dir': stateFlag,
      json: jsonFlag,
    },
    examples: ['ap-orchestrator status --run run-20261125-131000-x1y2z3'],
  },
  {
    name: 'cancel',
    summary: 'Cancel a run, also one started by another process.',
    usage: 'ap-orchestrator cancel --run ID [--repo DIR] [--json]',
    flags: { run: { type: 'string', value: 'ID', description: 'The run to stop.' }, repo: repoFlag, 'state-dir': stateFlag, json: jsonFlag },
    examples: ['ap-orchestrator cancel --run run-20261125-131000-x1y2z3'],
  },
  {
    name: 'report',
    summary: 'Print the AccomplishmentReport of a run.',
    usage: 'ap-orchestrator report --run ID [--repo DIR] [--json]',
    flags: { run: { type: 'string', value: 'ID', description: 'The run.' }, repo: repoFlag, 'state-dir': stateFlag, json: jsonFlag },
    examples: ['ap-orchestrator report --run run-20261125-131000-x1y2z3 --json'],
  },
  {
    name: 'dashboard',
    summary: 'Serve the dashboard for the runs of a repository (past runs replay) until Ctrl-C.',
    usage: 'ap-orchestrator dashboard [--repo DIR] [--dashboard-port PORT]',
    flags: { repo: repoFlag, 'state-dir': stateFlag, 'dashboard-port': dashboardPortFlag },
    examples: ['ap-orchestrator dashboard --repo ~/src/shop'],
  },
  {
    name: 'worker',
    summary: 'Run the built-in worker: an MCP server on stdio that carries out scripted edits (not an AI).',
    usage: 'ap-orchestrator worker [--log FILE]',
    flags: { log: { type: 'string', value: 'FILE', description: 'Append one AP-format log line per step to this file.' } },
    examples: ['ap-orchestrator worker --log .ap/logs/builtin-1.log'],
  },
  {
    name: 'doctor',
    summary: 'Show which agent CLIs (Codex, Claude Code, Gemini CLI, Cursor, droid) are installed, their versions, and whether a key or login is present.',
    usage: 'ap-orchestrator doctor [--repo DIR] [--team FILE] [--json]',
    flags: { repo: repoFlag, team: teamFlag, json: jsonFlag },
    examples: ['ap-orchestrator doctor', 'ap-orchestrator doctor --json'],
  },
  {
    name: 'demo',
    summary: 'Run the whole cycle on a generated sample repository with built-in workers, no API key.',
    usage: 'ap-orchestrator demo [--watch] [--clean] [--json]',
    flags: {
      watch: { type: 'boolean', description: 'Serve the live dashboard during the run (the URL is printed) and keep serving it until Ctrl-C.' },
      'start-delay': { type: 'string', value: 'MS', description: 'With --watch: wait this long before executing, to open the dashboard first.' },
      clean: { type: 'boolean', description: 'Delete the sample repository at the end (by default it is kept, to look at).' },
      json: jsonFlag,
    },
    examples: ['npm run demo'],
  },
];

export function helpText(command?: CommandSpec): string {
  if (!command) {
    const width = Math.max(...commands.map((spec) => spec.name.length));
    return [
      'ap-orchestrator: analyze a codebase, plan work in waves with disjoint file scopes, and run coding agents on it in parallel.',
      '',
      'Usage: ap-orchestrator [command] [flags]',
      '',
      'Commands:',
      ...commands.map((spec) => `  ${spec.name.padEnd(width)}  ${spec.summary}`),
      '',
      'Run `ap-orchestrator <command> --help` for a command\'s flags. Logs go to stderr.',
    ].join('\n');
  }
  const flagNames = Object.entries(command.flags).map(([name, flag]) => [`--${name}${flag.value ? ` ${flag.value}` : ''}`, flag.description] as const);
  const width = Math.max(...flagNames.map(([name]) => name.length), '--help'.length);
  return [
    command.summary,
    '',
    `Usage: ${command.usage}`,
    '',
    'Flags:',
    ...flagNames.map(([name, description]) => `  ${name.padEnd(width)}  ${description}`),
    `  ${'--help'.padEnd(width)}  Show this help.`,
    '',
    'Examples:',
    ...command.examples.map((example) => `  ${example}`),
  ].join('\n');
}
