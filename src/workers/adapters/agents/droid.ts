import { activity, filePathIn, type Activity, type ActivityKind, type TokenUsage } from '../../activity.js';
import { addUsage, array, isAuthFailure, mentionsFlag, number, record, text, type AgentCliSpec, type StreamState } from './agent-cli-spec.js';
import { usageActivity } from './claude.js';

/**
 * Factory's Droid: `droid exec -o stream-json --auto medium --cwd <worktree> -- <prompt>`.
 *
 * Flags, from Factory's docs ("Droid Exec (Headless CLI)" overview, its CLI help excerpt):
 * `--auto low|medium|high` (without it droid only reads), `--skip-permissions-unsafe`,
 * `-m/--model`, `-s/--session-id` to continue a session, `--cwd`, the prompt as the positional
 * argument or `-f <file>`, a key in `FACTORY_API_KEY`. `--auto medium` lets it edit files and run
 * the usual development commands; a worker's `args` that say `--auto` or
 * `--skip-permissions-unsafe` replace it. `--` ends the options, so that no prompt is read as one.
 *
 * The prompt is an argument, and Linux caps one argv string at 128 KiB (MAX_ARG_STRLEN): a prompt
 * above 100,000 bytes is piped on stdin instead, as the docs also show (`echo ... | droid exec`).
 *
 * Events, one JSON object a line. The docs name the stream-json format and its events (system
 * init, messages, tool calls and results, completion); the field names below are those of
 * recorded streams that others publish and parse (they agree with each other):
 *   {"type":"system","subtype":"init","cwd":"/abs","session_id":"...","tools":["Read",...],"model":"..."}
 *   {"type":"message","role":"user"|"assistant","id":"...","text":"...","timestamp":1700000000000,"session_id":"..."}
 *   {"type":"tool_call","id":"call_1","messageId":"...","toolId":"Execute","toolName":"Execute","parameters":{"command":"npm test"},"timestamp":...,"session_id":"..."}
 *   {"type":"tool_result","id":"call_1","messageId":"...","toolId":"Execute","isError":false,"value":"...","timestamp":...,"session_id":"..."}
 *     (a failed call carries "error":{"type","message"} instead of "value"; `id` is sometimes missing,
 *     then the result belongs to the oldest open call)
 *   {"type":"error","source":"...","message":"...","timestamp":...}
 *   {"type":"completion","finalText":"...","numTurns":3,"durationMs":12345,"timestamp":...,"session_id":"...","usage":{...}}
 * Tools: `Execute` {command} (its result ends "[Process exited with code N]"), `Read`
 * {file_path}, `LS` {directory_path}, `Glob` {folder, patterns}, `Grep` {pattern, path},
 * `Create` {file_path, content}, `Edit` {file_path, old_str, new_str}, `MultiEdit`
 * {file_path, edits}, `ApplyPatch` {input}, `TodoWrite`, `WebSearch` {query}, `FetchUrl` {url}.
 * Usage is not in the docs; a `usage` object on the completion (input_tokens, output_tokens and
 * the cache counts, as Claude's) is read when present. Log lines like
 * {"level":"error","error":{"message"}} count as errors. Anything else gives no activities.
 */
export const droidSpec: AgentCliSpec = {
  agent: 'droid',
  displayName: 'Droid',
  defaultCommand: 'droid',
  installHint: 'curl -fsSL https://app.factory.ai/cli | sh (see https://docs.factory.ai/cli/getting-started/quickstart)',
  keyVariables: ['FACTORY_API_KEY'],
  // Best known: the docs say only that running `droid` once logs in through the browser. The
  // login is seen in ~/.factory/auth.v2.file (newer), auth.encrypted or auth.json (older);
  // some installs keep it in the keychain instead.
  loginFiles: ['.factory/auth.v2.file', '.factory/auth.encrypted', '.factory/auth.json'],
  authHint: 'Run `droid` once and log in, or list FACTORY_API_KEY in the worker\'s env as "${FACTORY_API_KEY}" (keys at https://app.factory.ai/settings/api-keys).',

  commandLine({ prompt, cwd, model, resumeSession, extraArgs }) {
    const args = ['exec', '-o', 'stream-json'];
    if (!mentionsFlag(extraArgs, ['--auto', '--skip-permissions-unsafe'])) args.push('--auto', 'medium');
    if (!mentionsFlag(extraArgs, ['--cwd'])) args.push('--cwd', cwd);
    if (model && !mentionsFlag(extraArgs, ['--model', '-m'])) args.push('--model', model);
    if (resumeSession && !mentionsFlag(extraArgs, ['--session-id', '-s'])) args.push('--session-id', resumeSession);
    args.push(...extraArgs);
    // One argv string is capped at 128 KiB: a longer prompt is piped, as the docs also show.
    if (Buffer.byteLength(prompt) > 100_000) return { args, stdin: prompt };
    args.push('--', prompt);
    return { args };
  },

  interpret(event, state) {
    if (!record(event)) return [];
    const run = runOf(state);
    const make = maker(event);
    state.sessionId = text(event.session_id) ?? text(event.sessionId) ?? state.sessionId;
    switch (event.type) {
      case 'system':
        run.cwd = text(event.cwd) ?? run.cwd;
        return [];
      case 'message': {
        const said = text(event.text) ?? text(event.content);
        if (event.role !== 'assistant' || !said?.trim()) return [];
        state.finalText = said.trim();
        return [make('message', said.trim())];
      }
      case 'tool_call':
        return toolCall(event, run, make);
      case 'tool_result':
        return toolResult(event, run, make);
      case 'completion':
      case 'result':
        return completion(event, state, make);
      case 'error':
        return [reportError(text(event.message) ?? text(record(event.error)?.message) ?? text(event.error) ?? 'Error', state, make)];
      case undefined: {
        // Droid's own log lines: {"level":"error","error":{"name","message"},"msg":...}.
        const message = event.level === 'error' ? (text(record(event.error)?.message) ?? text(event.msg)) : undefined;
        return message ? [reportError(message, state, make)] : [];
      }
      default:
        return [];
    }
  },
};

type Json = Record<string, unknown>;
type Make = (kind: ActivityKind, description: string, fields?: Partial<Activity>) => Activity;

interface OpenCall {
  toolName: string;
  command?: string;
  files: string[];
}

interface DroidRun {
  /** The worktree as Droid reports it, to make absolute paths repo-relative. */
  cwd?: string;
  /** Tool calls waiting for their result, oldest first. */
  calls: Map<string, OpenCall>;
  unnamedCalls: number;
}

const runs = new WeakMap<StreamState, DroidRun>();

function runOf(state: StreamState): DroidRun {
  let run = runs.get(state);
  if (!run) {
    run = { calls: new Map(), unnamedCalls: 0 };
    runs.set(state, run);
  }
  return run;
}

/** Tool calls are shown when they start; commands, file changes and failures when their result comes. */
function toolCall(event: Json, run: DroidRun, make: Make): Activity[] {
  const toolName = text(event.toolName) ?? text(event.toolId) ?? text(event.name) ?? 'tool';
  const parameters = record(event.parameters) ?? record(parseArguments(event.parameters)) ?? record(event.arguments) ?? record(event.input) ?? {};
  const command = text(parameters.command);
  const path = relative(text(parameters.file_path) ?? text(parameters.path) ?? text(parameters.directory_path) ?? text(parameters.folder), run.cwd);
  const patchFiles = [...(text(parameters.input) ?? text(parameters.patch) ?? '').matchAll(/^\*\*\* (?:Add|Update|Delete) File: (.+)$/gm)].map((match) => relative(match[1]!.trim(), run.cwd) ?? '')
    .filter((file) => file !== '');
  const files = changesFiles(toolName) ? (patchFiles.length > 0 ? patchFiles : path ? [path] : []) : [];
  const id = text(event.id) ?? `#${++run.unnamedCalls}`;
  run.calls.set(id, { toolName, command, files });

  const patterns = array(parameters.patterns).filter((pattern): pattern is string => typeof pattern === 'string');
  const pattern = text(parameters.pattern) ?? (patterns.length > 0 ? patterns.join(', ') : undefined);
  const filePath = files[0] ?? path ?? (command ? filePathIn(command) : undefined);
  const description =
    command ??
    (pattern ? (path ? `${pattern} in ${path}` : pattern) : undefined) ??
    (files.length > 0 ? files.join(', ') : undefined) ??
    path ??
    text(parameters.query) ??
    text(parameters.url) ??
    toolName;
  return [make('tool_use', description, { toolName, filePath, command })];
}

function toolResult(event: Json, run: DroidRun, make: Make): Activity[] {
  const id = text(event.id);
  // A result without an id belongs to the oldest open call; one with an unknown id to none.
  const key = id === undefined ? run.calls.keys().next().value : run.calls.has(id) ? id : undefined;
  const call = key === undefined ? undefined : run.calls.get(key);
  if (key !== undefined) run.calls.delete(key);
  const toolName = call?.toolName ?? text(event.toolId) ?? text(event.toolName) ?? 'tool';
  const error = record(event.error);
  const failed = event.isError === true || event.is_error === true || error !== undefined;
  const output = typeof event.value === 'string' ? event.value : record(event.value) ? JSON.stringify(event.value) : undefined;
  const reason = text(error?.message) ?? text(event.error) ?? output?.trim().split('\n').slice(-3).join('\n') ?? 'failed';

  if (call?.command !== undefined) {
    const code = /\[Process exited with code (-?\d+)\]/.exec(output ?? '');
    if (code || !failed) return [make('command', call.command, { toolName, command: call.command, exitCode: code ? Number(code[1]) : null, filePath: filePathIn(call.command) })];
    return [make('error', `${call.command}: ${reason}`, { toolName, command: call.command })];
  }
  if (failed) return [make('error', `${toolName}${call?.files[0] ? ` ${call.files[0]}` : ''}: ${reason}`, { toolName, filePath: call?.files[0] })];
  const files = call && call.files.length > 0 ? call.files : changesFiles(toolName) ? resultFiles(event.value, run.cwd) : [];
  if (files.length === 0) return [];
  return [make('file_change', `${verb(toolName)} ${files.join(', ')}`, { toolName, files, filePath: files[0] })];
}

function completion(event: Json, state: StreamState, make: Make): Activity[] {
  const activities: Activity[] = [];
  const finalText = (text(event.finalText) ?? text(event.final_text) ?? (typeof event.result === 'string' ? event.result : undefined))?.trim();
  const failed = event.isError === true || event.is_error === true || (typeof event.subtype === 'string' && event.subtype !== 'success');
  if (failed) {
    state.failure = finalText || text(record(event.error)?.message) || `Droid ended with ${text(event.subtype) ?? 'an error'}.`;
    state.authFailure ||= authFailure(state.failure);
    state.lastError = state.failure;
    activities.push(make('failed', state.failure));
  } else {
    // The final text repeats the last assistant message; it is shown again only when it differs.
    if (finalText && finalText !== state.finalText) activities.push(make('message', finalText));
    state.finalText = finalText || state.finalText;
    state.completed = true;
    const turns = number(event.numTurns) ?? number(event.num_turns);
    const milliseconds = number(event.durationMs) ?? number(event.duration_ms);
    const details = [turns === undefined ? undefined : `${turns} turn(s)`, milliseconds === undefined ? undefined : `${(milliseconds / 1000).toFixed(1)} s`].filter(Boolean);
    activities.push(make('completed', details.length > 0 ? `Completed (${details.join(', ')})` : 'Completed'));
  }
  const usage = tokenUsage(event);
  if (usage) {
    addUsage(state, usage);
    activities.push(usageActivity(usage, activities[0]?.timestamp));
  }
  return activities;
}

/** An error event explains a timeout or an exit; it ends the run only when the credential is refused. */
function reportError(message: string, state: StreamState, make: Make): Activity {
  state.lastError = message;
  if (authFailure(message)) {
    state.failure = message;
    state.authFailure = true;
  }
  return make('error', message);
}

/** Snake_case counts as Claude's (cache reads and writes apart), or camelCase ones. */
function tokenUsage(event: Json): TokenUsage | undefined {
  const usage = record(event.usage);
  if (!usage) return undefined;
  const input = number(usage.input_tokens) ?? number(usage.inputTokens);
  const output = number(usage.output_tokens) ?? number(usage.outputTokens);
  if (input === undefined && output === undefined) return undefined;
  const cached =
    (number(usage.cache_read_input_tokens) ?? number(usage.cacheReadTokens) ?? 0) + (number(usage.cache_creation_input_tokens) ?? number(usage.cacheCreationTokens) ?? number(usage.cacheWriteTokens) ?? 0);
  const result: TokenUsage = { inputTokens: (input ?? 0) + cached, outputTokens: output ?? 0 };
  const costUsd = number(event.total_cost_usd) ?? number(usage.total_cost_usd) ?? number(usage.costUsd) ?? number(usage.cost_usd);
  if (costUsd !== undefined) result.costUsd = costUsd;
  return result;
}

/** Create, Edit, MultiEdit, ApplyPatch (and Write, Delete); not TodoWrite. */
function changesFiles(toolName: string): boolean {
  return /create|edit|write|patch|delete|replace/i.test(toolName) && !/todo/i.test(toolName);
}

function verb(toolName: string): string {
  if (/create|write/i.test(toolName)) return 'write';
  if (/delete/i.test(toolName)) return 'delete';
  return 'edit';
}

/** ApplyPatch results name the file: {"file_path", "diff"} as an object or a JSON string. */
function resultFiles(value: unknown, cwd: string | undefined): string[] {
  const result = record(value) ?? record(parseArguments(value));
  const path = text(result?.file_path) ?? text(record(result?.value)?.file_path);
  return path ? [relative(path, cwd)!] : [];
}

function authFailure(message: string): boolean {
  return isAuthFailure(message) || /not authenticated|unauthenticated|FACTORY_API_KEY|droid login|invalid (api )?key/i.test(message);
}

/** Absolute paths inside the worktree become repo-relative; others are kept as they are. */
function relative(path: string | undefined, cwd: string | undefined): string | undefined {
  if (!path || !cwd) return path;
  const root = cwd.endsWith('/') ? cwd : `${cwd}/`;
  return path.startsWith(root) && path.length > root.length ? path.slice(root.length) : path;
}

function parseArguments(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** Activities stamped with the event's time (milliseconds or ISO) when it has one; undefined fields left off. */
function maker(event: Json): Make {
  const milliseconds = typeof event.timestamp === 'string' ? Date.parse(event.timestamp) : number(event.timestamp);
  const date = milliseconds === undefined ? undefined : new Date(milliseconds);
  // Out-of-range times make an invalid date, whose toISOString throws.
  const timestamp = date && Number.isFinite(date.getTime()) ? date.toISOString() : undefined;
  return (kind, description, fields = {}) =>
    activity(kind, description, { ...Object.fromEntries(Object.entries(fields).filter((entry) => entry[1] !== undefined)), timestamp, source: 'jsonl' });
}
