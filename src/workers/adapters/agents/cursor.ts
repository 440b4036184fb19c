import { activity, filePathIn, type Activity, type ActivityKind, type TokenUsage } from '../../activity.js';
import { addUsage, array, isAuthFailure, mentionsFlag, number, record, text, type AgentCliSpec, type StreamState } from './agent-cli-spec.js';
import { usageActivity } from './claude.js';

/**
 * Cursor's CLI: `cursor-agent -p --output-format stream-json --force <prompt>`.
 *
 * Flags, from Cursor's CLI docs ("Parameters", "Permissions"): `-p/--print` runs without a
 * terminal, `-f/--force` allows commands unless a deny rule forbids them (print mode needs it to
 * write files; recorded runs show it also answers the workspace-trust question that otherwise
 * stops a headless run), `-m/--model`, `--resume [chatId]`, the prompt as the positional
 * argument, a key in `CURSOR_API_KEY` (or `-a/--api-key`), a login through `cursor-agent login`.
 *
 * The prompt is an argument, and Linux caps one argv string at 128 KiB (MAX_ARG_STRLEN): a prompt
 * above 100,000 bytes is piped on stdin instead, with no positional prompt. Cursor documents no
 * prompt file; it does read a piped stdin (seen in practice, not documented as such).
 *
 * Events (docs "Output format", cli/reference/output-format, its stream-json section and example
 * sequence):
 *   {"type":"system","subtype":"init","apiKeySource":"env|flag|login","cwd":"/abs","session_id":"<uuid>","model":"...","permissionMode":"default"}
 *   {"type":"user","message":{"role":"user","content":[{"type":"text","text":"<prompt>"}]},"session_id":"<uuid>"}
 *   {"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":"..."}]},"session_id":"<uuid>"}
 *   {"type":"tool_call","subtype":"started","call_id":"<id>","tool_call":{"readToolCall":{"args":{"path":"file.txt"}}},"session_id":"<uuid>"}
 *   {"type":"tool_call","subtype":"completed","call_id":"<id>","tool_call":{"readToolCall":{"args":{...},"result":{"success":{...}}}},"session_id":"<uuid>"}
 *   {"type":"result","subtype":"success","is_error":false,"duration_ms":1234,"duration_api_ms":1234,"result":"<all assistant text>","session_id":"<uuid>","request_id":"..."}
 * The docs spell out `readToolCall` (result.success {content, totalLines, ...}) and
 * `writeToolCall` (args {path, fileText}; result.success {path, linesCreated, fileSize}), and say
 * other tools may come as `tool_call.function` {name, arguments}. The other keys and their
 * fields are not in the docs; they are taken from recorded streams that others publish:
 * `shellToolCall` (args.command; result.success|failure {exitCode, stdout, stderr}),
 * `editToolCall` (args.path; result.success {path, linesAdded, linesRemoved}),
 * `deleteToolCall`, `lsToolCall`, `grepToolCall` (args.pattern, args.path), `globToolCall`
 * (args.globPattern), `todoToolCall`, results of `{"rejected":{"reason"}}` or `{"error":{...}}`,
 * `thinking` delta/completed events, `timestamp_ms`, and a `result` with subtype "error" and
 * is_error true. No usage is documented; a `usage` object on the result is read when present.
 * On failure Cursor often writes to stderr only and ends without a result: the adapter sees the
 * exit code. An `{"type":"error","message"}` event, should one come, is an explanation (and a
 * failure when the login is refused). Anything else gives no activities.
 */
export const cursorSpec: AgentCliSpec = {
  agent: 'cursor',
  displayName: 'Cursor',
  defaultCommand: 'cursor-agent',
  installHint: 'curl https://cursor.com/install -fsS | bash (see https://cursor.com/cli)',
  keyVariables: ['CURSOR_API_KEY'],
  // Best known: the docs say only that `cursor-agent login` stores credentials. On Linux they are
  // seen in ~/.config/cursor/auth.json; on macOS in the keychain, with the account noted in
  // ~/.cursor/cli-config.json (which also exists before any login).
  loginFiles: ['.config/cursor/auth.json'],
  authHint: 'Run `cursor-agent login`, or list CURSOR_API_KEY in the worker\'s env as "${CURSOR_API_KEY}".',

  commandLine({ prompt, model, resumeSession, extraArgs }) {
    const args = ['-p', '--output-format', 'stream-json'];
    if (!mentionsFlag(extraArgs, ['--force', '-f', '--yolo'])) args.push('--force');
    if (model && !mentionsFlag(extraArgs, ['--model', '-m'])) args.push('--model', model);
    if (resumeSession && !mentionsFlag(extraArgs, ['--resume', '--continue'])) args.push('--resume', resumeSession);
    args.push(...extraArgs);
    if (Buffer.byteLength(prompt) > 100_000) return { args, stdin: prompt };
    args.push(prompt);
    return { args };
  },

  interpret(event, state) {
    if (!record(event)) return [];
    const run = runOf(state);
    const make = maker(event);
    state.sessionId = text(event.session_id) ?? state.sessionId;
    if (event.type === 'system') run.cwd = text(event.cwd) ?? run.cwd;

    // Assistant text and thinking come whole or in deltas: each is shown once, when something
    // else happens, so that deltas make one message.
    if (event.type === 'assistant') {
      const content = record(event.message)?.content;
      const said = (typeof content === 'string' ? [{ type: 'text', text: content }] : array(content))
        .map(record)
        .filter((block) => block?.type === 'text' || (block && block.type === undefined))
        .map((block) => (typeof block?.text === 'string' ? block.text : ''))
        .join('');
      // A consolidated message after its own deltas (--stream-partial-output) replaces them.
      run.pendingText = run.pendingText && said.startsWith(run.pendingText) ? said : run.pendingText + said;
      if (said) run.textMake ??= make;
      if (run.pendingText.trim()) state.finalText = run.pendingText.trim();
      return [];
    }
    if (event.type === 'thinking' && event.subtype !== 'completed') {
      run.pendingThinking += typeof event.text === 'string' ? event.text : '';
      if (typeof event.text === 'string' && event.text) run.thinkingMake ??= make;
      return [];
    }
    const activities = flush(run, make);

    switch (event.type) {
      case 'tool_call':
        activities.push(...toolCall(event, run, make));
        break;
      case 'result':
        activities.push(...result(event, state, make));
        break;
      case 'error': {
        const message = text(event.message) ?? text(record(event.error)?.message) ?? text(event.error) ?? 'Error';
        state.lastError = message;
        if (authFailure(message)) {
          state.failure = message;
          state.authFailure = true;
        }
        activities.push(make('error', message));
        break;
      }
    }
    return activities;
  },
};

type Json = Record<string, unknown>;
type Make = (kind: ActivityKind, description: string, fields?: Partial<Activity>) => Activity;

/** What a tool call said when it started, for a completion that leaves its arguments out. */
interface ToolCall {
  toolName: string;
  args: Json;
}

interface CursorRun {
  /** The worktree as Cursor reports it, to make absolute paths repo-relative. */
  cwd?: string;
  pendingText: string;
  pendingThinking: string;
  /** Stamp the pending text and thinking with the time of their first event. */
  textMake?: Make;
  thinkingMake?: Make;
  calls: Map<string, ToolCall>;
}

const runs = new WeakMap<StreamState, CursorRun>();

function runOf(state: StreamState): CursorRun {
  let run = runs.get(state);
  if (!run) {
    run = { pendingText: '', pendingThinking: '', calls: new Map() };
    runs.set(state, run);
  }
  return run;
}

function flush(run: CursorRun, make: Make): Activity[] {
  const activities: Activity[] = [];
  if (run.pendingThinking.trim()) activities.push((run.thinkingMake ?? make)('reasoning', run.pendingThinking.trim()));
  if (run.pendingText.trim()) activities.push((run.textMake ?? make)('message', run.pendingText.trim()));
  run.pendingThinking = '';
  run.pendingText = '';
  run.thinkingMake = undefined;
  run.textMake = undefined;
  return activities;
}

/** Tool calls are shown when they start; commands, file changes and failures when they complete. */
function toolCall(event: Json, run: CursorRun, make: Make): Activity[] {
  const call = namedCall(record(event.tool_call));
  if (!call) return [];
  const callId = text(event.call_id) ?? text(call.body.toolCallId) ?? text(call.args.toolCallId);
  const started = callId ? run.calls.get(callId) : undefined;
  const toolName = started?.toolName ?? call.toolName;
  const args = Object.keys(call.args).length > 0 ? call.args : (started?.args ?? {});
  const path = relative(text(args.path) ?? text(args.filePath) ?? text(args.file_path) ?? text(args.targetFile), run.cwd);
  const command = text(args.command);

  if (event.subtype === 'started') {
    if (callId) run.calls.set(callId, { toolName, args });
    const filePath = path ?? (command ? filePathIn(command) : undefined);
    const pattern = text(args.pattern) ?? text(args.globPattern) ?? text(args.query);
    const description = command ?? (pattern ? (path ? `${pattern} in ${path}` : pattern) : undefined) ?? path ?? todoText(args) ?? toolName;
    return [make('tool_use', description, { toolName, filePath, command })];
  }
  if (event.subtype !== 'completed') return [];
  if (callId) run.calls.delete(callId);

  const outcome = record(call.body.result);
  const success = record(outcome?.success);
  const failure = record(outcome?.failure);
  const refused = outcome ? failureText(outcome) : undefined;
  // A shell command that ran reports its exit code, even when it failed.
  if (command !== undefined) {
    const exitCode = number(success?.exitCode) ?? number(failure?.exitCode);
    if (exitCode !== undefined || !refused) return [make('command', command, { toolName, command, exitCode: exitCode ?? null, filePath: filePathIn(command) })];
  }
  if (refused) return [make('error', `${toolName}${command || path ? ` ${command ?? path}` : ''}: ${refused}`, { toolName, filePath: path, command })];
  if (success && changesFiles(toolName)) {
    const file = path ?? relative(text(success.path), run.cwd);
    if (!file) return [];
    const added = number(success.linesAdded);
    const removed = number(success.linesRemoved);
    const counts = added !== undefined || removed !== undefined ? ` (+${added ?? 0} -${removed ?? 0})` : '';
    return [make('file_change', `${toolName} ${file}${counts}`, { toolName, files: [file], filePath: file })];
  }
  return [];
}

/** `{"shellToolCall": {...}}` or `{"function": {"name", "arguments"}}` as a name and its arguments. */
function namedCall(toolCall: Json | undefined): { toolName: string; body: Json; args: Json } | undefined {
  if (!toolCall) return undefined;
  const fn = record(toolCall.function);
  if (fn) {
    const body = { ...fn, result: fn.result ?? toolCall.result };
    return { toolName: text(fn.name) ?? 'tool', body, args: record(parseArguments(fn.arguments)) ?? {} };
  }
  for (const [key, value] of Object.entries(toolCall)) {
    const body = record(value);
    if (!body || !key.endsWith('ToolCall')) continue;
    const toolName = key.slice(0, -'ToolCall'.length) || 'tool';
    return { toolName, body, args: record(body.args) ?? {} };
  }
  return undefined;
}

/** Why a completed tool call did not succeed, when its result says so. */
function failureText(outcome: Json): string | undefined {
  const rejected = outcome.rejected;
  if (rejected !== undefined) return `rejected${text(record(rejected)?.reason) ? ` (${text(record(rejected)?.reason)})` : ''}`;
  const error = outcome.error;
  if (error !== undefined) return text(error) ?? text(record(error)?.message) ?? text(record(error)?.error) ?? 'failed';
  const failure = record(outcome.failure);
  if (failure) return text(failure.message) ?? text(failure.error) ?? text(failure.stderr) ?? 'failed';
  return undefined;
}

function result(event: Json, state: StreamState, make: Make): Activity[] {
  const activities: Activity[] = [];
  const resultText = text(event.result);
  const failed = event.is_error === true || (typeof event.subtype === 'string' && event.subtype !== 'success');
  const seconds = number(event.duration_ms) === undefined ? '' : ` in ${(number(event.duration_ms)! / 1000).toFixed(1)} s`;
  if (failed) {
    state.failure = resultText ?? text(event.error) ?? text(record(event.error)?.message) ?? `Cursor ended with ${text(event.subtype) ?? 'an error'}.`;
    state.authFailure ||= authFailure(state.failure);
    state.lastError = state.failure;
    activities.push(make('failed', state.failure));
  } else {
    state.completed = true;
    // The result is every assistant message run together; the last message is the reply.
    state.finalText ??= resultText;
    activities.push(make('completed', `Completed${seconds}`));
  }
  const usage = tokenUsage(event);
  if (usage) {
    addUsage(state, usage);
    activities.push(usageActivity(usage, activities[0]?.timestamp));
  }
  return activities;
}

/** Not documented for Cursor: snake_case (as Claude's) or camelCase counts, cache reads included. */
function tokenUsage(event: Json): TokenUsage | undefined {
  const usage = record(event.usage);
  const costUsd = number(event.total_cost_usd) ?? number(usage?.total_cost_usd) ?? number(usage?.costUsd) ?? number(usage?.cost_usd);
  if (!usage) return undefined;
  const input = number(usage.input_tokens) ?? number(usage.inputTokens);
  const output = number(usage.output_tokens) ?? number(usage.outputTokens);
  if (input === undefined && output === undefined) return undefined;
  const cached = (number(usage.cache_read_input_tokens) ?? number(usage.cacheReadTokens) ?? 0) + (number(usage.cache_creation_input_tokens) ?? number(usage.cacheWriteTokens) ?? 0);
  const result: TokenUsage = { inputTokens: (input ?? 0) + cached, outputTokens: output ?? 0 };
  if (costUsd !== undefined) result.costUsd = costUsd;
  return result;
}

/** `write`, `edit`, `delete` (and, liberally, other names that say so, like `edit_file`); not `todo`. */
function changesFiles(toolName: string): boolean {
  return /write|edit|delete|create|patch|replace/i.test(toolName) && !/todo/i.test(toolName);
}

function todoText(args: Json): string | undefined {
  const todos = array(args.todos);
  return todos.length > 0 ? `${todos.length} todo(s)` : undefined;
}

/** Cursor's own words, or the usual ways of saying that the key or the login is missing or refused. */
function authFailure(message: string): boolean {
  return isAuthFailure(message) || /not authenticated|unauthenticated|CURSOR_API_KEY|cursor-agent login|invalid (api )?key/i.test(message);
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

/** Activities stamped with the event's time (`timestamp_ms`) when it has one; undefined fields left off. */
function maker(event: Json): Make {
  const milliseconds = number(event.timestamp_ms) ?? (typeof event.timestamp === 'string' ? Date.parse(event.timestamp) : number(event.timestamp));
  const date = milliseconds === undefined ? undefined : new Date(milliseconds);
  // Out-of-range times make an invalid date, whose toISOString throws.
  const timestamp = date && Number.isFinite(date.getTime()) ? date.toISOString() : undefined;
  return (kind, description, fields = {}) =>
    activity(kind, description, { ...Object.fromEntries(Object.entries(fields).filter((entry) => entry[1] !== undefined)), timestamp, source: 'jsonl' });
}
