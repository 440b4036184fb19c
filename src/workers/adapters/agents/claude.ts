import { activity, filePathIn, type Activity, type TokenUsage } from '../../activity.js';
import { activitiesFromJsonEvent, activityMaker, contentText, type Make } from '../../log-monitor/jsonl-log-parser.js';
import { addUsage, array, isAuthFailure, mentionsFlag, number, pathInWorktree, record, text, rememberToolCall, takeToolCall, type AgentCliSpec, type StreamState, type ToolCall } from './agent-cli-spec.js';

type Json = Record<string, unknown>;

/** Tools whose success means a file in the worktree changed. */
const fileTools = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);

/**
 * Claude Code: `claude -p --output-format stream-json --verbose`, the prompt on stdin. The
 * `acceptEdits` permission mode lets it edit files inside its working directory (the worktree)
 * and nothing else; commands need `--allowedTools` in the worker's `args` (e.g. "Bash").
 */
export const claudeSpec: AgentCliSpec = {
  agent: 'claude',
  displayName: 'Claude Code',
  defaultCommand: 'claude',
  installHint: 'npm install -g @anthropic-ai/claude-code',
  keyVariables: ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_AUTH_TOKEN'],
  loginFiles: ['.claude/.credentials.json'],
  authHint: 'Run `claude` once and log in (or `claude setup-token`), or list ANTHROPIC_API_KEY in the worker\'s env as "${ANTHROPIC_API_KEY}".',

  commandLine({ prompt, model, resumeSession, extraArgs }) {
    const args = ['-p', '--output-format', 'stream-json', '--verbose'];
    if (!mentionsFlag(extraArgs, ['--permission-mode', '--dangerously-skip-permissions'])) args.push('--permission-mode', 'acceptEdits');
    if (model && !mentionsFlag(extraArgs, ['--model'])) args.push('--model', model);
    if (resumeSession) args.push('--resume', resumeSession);
    args.push(...extraArgs);
    return { args, stdin: prompt };
  },

  interpret(event, state) {
    state.sessionId = text(event.session_id) ?? state.sessionId;
    const activities = activitiesFromJsonEvent(event);
    if (event.type === 'user') activities.push(...toolResults(event, state));
    if (event.type === 'assistant') {
      rememberToolCalls(event, state);
      const failure = text(event.error);
      const content = array(record(event.message)?.content).map(record);
      const said = content.filter((block) => block?.type === 'text').map((block) => text(block?.text)).filter((part) => part !== undefined);
      if (said.length > 0 && !failure) state.finalText = said.join('\n');
      if (failure) {
        state.failure = said.join('\n') || failure;
        state.authFailure ||= failure === 'authentication_failed' || isAuthFailure(state.failure);
      }
    }
    if (event.type === 'system' && event.subtype === 'api_retry') {
      // Claude Code retries a refused key for minutes; the answer will not change.
      const status = number(event.error_status);
      if (status === 401 || status === 403 || event.error === 'authentication_failed') {
        state.failure = `the model API refused the credentials (HTTP ${status ?? '401'}, ${text(event.error) ?? 'authentication_failed'})`;
        state.authFailure = true;
        state.stop = true;
      } else {
        state.lastError = `API error ${status ?? ''} ${text(event.error) ?? ''}, retrying`.replace(/\s+/g, ' ');
      }
    }
    if (event.type === 'result') {
      const failed = event.is_error === true || (typeof event.subtype === 'string' && event.subtype !== 'success');
      const resultText = text(event.result);
      if (failed) {
        state.failure = resultText ?? `Claude Code ended with ${text(event.subtype) ?? 'an error'}.`;
        state.authFailure ||= isAuthFailure(state.failure);
      } else {
        state.completed = true;
        if (resultText) state.finalText = resultText;
      }
      const usage = resultUsage(event);
      if (usage) {
        addUsage(state, usage);
        activities.push(usageActivity(usage, activities[0]?.timestamp));
      }
      const denials = array(event.permission_denials).length;
      if (denials > 0) activities.push(activity('error', `${denials} tool call(s) were refused by the permission mode; allow them with --allowedTools in the worker's args.`, { source: 'jsonl' }));
    }
    return activities;
  },
};

function rememberToolCalls(event: Json, state: StreamState): void {
  for (const block of array(record(event.message)?.content).map(record)) {
    const id = text(block?.id);
    if (block?.type !== 'tool_use' || !id) continue;
    rememberToolCall(state, id, { name: text(block.name) ?? 'tool', input: record(block.input) ?? {} });
  }
}

/** Commands and file changes are shown when their result says how they went. */
function toolResults(event: Json, state: StreamState): Activity[] {
  const results = array(record(event.message)?.content)
    .map(record)
    .filter((block): block is Json => block?.type === 'tool_result');
  // The top-level outcome belongs to the event's only result; with several, it is nobody's for sure.
  const outcome = results.length === 1 ? record(event.tool_use_result) : undefined;
  const make = activityMaker(event);
  return results.flatMap((result) => {
    const call = takeToolCall(state, text(result.tool_use_id));
    return call ? toolResultActivities(call, result, outcome, state.cwd, make) : [];
  });
}

function toolResultActivities(call: ToolCall, result: Json, outcome: Json | undefined, cwd: string | undefined, make: Make): Activity[] {
  if (call.name === 'Bash') {
    const command = text(call.input.command);
    return command ? [make('command', command, { toolName: call.name, command, exitCode: bashExitCode(result, outcome), filePath: filePathIn(command) })] : [];
  }
  // A successful Write leaves `is_error` out altogether.
  if (!fileTools.has(call.name) || result.is_error === true) return [];
  const file = pathInWorktree(text(call.input.file_path) ?? text(call.input.notebook_path), cwd);
  return file ? [make('file_change', `${call.name} ${file}`, { toolName: call.name, filePath: file, files: [file] })] : [];
}

/**
 * A failed command's result starts "Exit code N" (a refused or broken call has no code). A result
 * that is not an error has no known code either when the command was interrupted, moved to the
 * background, or ended with a non-zero code Claude Code reads as an answer (grep's 1, "No matches").
 */
function bashExitCode(result: Json, outcome: Json | undefined): number | null {
  if (result.is_error === true) {
    const shown = /^\s*Exit code (\d+)/.exec(contentText(result.content) ?? '');
    return shown ? Number(shown[1]) : null;
  }
  if (outcome?.interrupted === true || text(outcome?.backgroundTaskId) || text(outcome?.returnCodeInterpretation)) return null;
  return 0;
}

/** The result's usage counts cache reads and writes apart from the rest of the input. */
function resultUsage(event: Record<string, unknown>): TokenUsage | undefined {
  const usage = record(event.usage);
  const cost = number(event.total_cost_usd);
  if (!usage && cost === undefined) return undefined;
  const inputTokens = (number(usage?.input_tokens) ?? 0) + (number(usage?.cache_creation_input_tokens) ?? 0) + (number(usage?.cache_read_input_tokens) ?? 0);
  const result: TokenUsage = { inputTokens, outputTokens: number(usage?.output_tokens) ?? 0 };
  if (cost !== undefined) result.costUsd = cost;
  return result;
}

export function usageActivity(usage: TokenUsage, timestamp?: string): Activity {
  const cost = usage.costUsd === undefined ? '' : `, $${usage.costUsd.toFixed(4)}`;
  return activity('usage', `${usage.inputTokens} input, ${usage.outputTokens} output tokens${cost}`, { usage, source: 'jsonl', timestamp });
}
