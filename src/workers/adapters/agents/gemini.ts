import { activity, filePathIn, type Activity } from '../../activity.js';
import { activitiesFromJsonEvent, activityMaker } from '../../log-monitor/jsonl-log-parser.js';
import { addUsage, isAuthFailure, mentionsFlag, number, pathInWorktree, record, text, rememberToolCall, takeToolCall, type AgentCliSpec, type StreamState } from './agent-cli-spec.js';
import { usageActivity } from './claude.js';

/** Streamed assistant text waiting to be shown as one message. */
const pendingText = new WeakMap<StreamState, string>();

/** Tools whose success means a file in the worktree changed. */
const fileTools = new Set(['write_file', 'replace', 'edit']);

/**
 * Gemini CLI: `gemini -o stream-json`, the prompt on stdin with a short `-p` that starts headless
 * mode (Gemini appends `-p` to what stdin gives). `auto_edit` approves file edits; shell commands
 * need `--approval-mode yolo` in the worker's `args`. The worktree is trusted through the
 * environment, so no trust prompt can stop an unattended run.
 */
export const geminiSpec: AgentCliSpec = {
  agent: 'gemini',
  displayName: 'Gemini CLI',
  defaultCommand: 'gemini',
  installHint: 'npm install -g @google/gemini-cli',
  keyVariables: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
  loginFiles: ['.gemini/oauth_creds.json'],
  authHint: 'Run `gemini` once and sign in, or list GEMINI_API_KEY in the worker\'s env as "${GEMINI_API_KEY}".',
  environment: { GEMINI_CLI_TRUST_WORKSPACE: 'true' },

  commandLine({ prompt, model, resumeSession, extraArgs }) {
    const args = ['-o', 'stream-json'];
    if (!mentionsFlag(extraArgs, ['--approval-mode', '--yolo', '-y'])) args.push('--approval-mode', 'auto_edit');
    if (model && !mentionsFlag(extraArgs, ['--model', '-m'])) args.push('--model', model);
    // Sessions are kept per project folder; a retry runs in the same worktree, so its id is found.
    if (resumeSession && !mentionsFlag(extraArgs, ['--resume', '-r'])) args.push('--resume', resumeSession);
    args.push(...extraArgs, '-p', 'Carry out the objective above.');
    return { args, stdin: prompt };
  },

  interpret(event, state) {
    const activities: Activity[] = [];
    state.sessionId = text(event.session_id) ?? state.sessionId;
    if (event.type === 'message' && event.role === 'assistant') {
      // Streamed text comes in deltas: it is shown once, when something else happens.
      const chunk = typeof event.content === 'string' ? event.content : '';
      const pending = (event.delta === true ? (pendingText.get(state) ?? '') : '') + chunk;
      pendingText.set(state, pending);
      if (pending.trim()) state.finalText = pending;
      return activities;
    }
    const pending = pendingText.get(state);
    if (pending?.trim()) activities.push(activity('message', pending.trim(), { source: 'jsonl' }));
    pendingText.delete(state);
    activities.push(...activitiesFromJsonEvent(event));
    if (event.type === 'tool_use') rememberCall(event, state);
    if (event.type === 'tool_result') activities.push(...toolResult(event, state));
    if (event.type === 'result') {
      if (event.status === 'success') state.completed = true;
      else {
        state.failure = text(record(event.error)?.message) ?? `Gemini CLI ended with status ${text(event.status) ?? 'unknown'}.`;
        state.authFailure ||= isAuthFailure(state.failure);
      }
      const stats = record(event.stats);
      if (stats) {
        const usage = { inputTokens: number(stats.input_tokens) ?? number(stats.input) ?? 0, outputTokens: number(stats.output_tokens) ?? 0 };
        addUsage(state, usage);
        activities.push(usageActivity(usage));
      }
    }
    if (event.type === 'error') {
      const message = text(event.message) ?? text(record(event.error)?.message) ?? 'Error';
      state.lastError = message;
      if (event.severity !== 'warning' && isAuthFailure(message)) {
        state.failure = message;
        state.authFailure = true;
      }
    }
    return activities;
  },
};

function rememberCall(event: Record<string, unknown>, state: StreamState): void {
  const id = text(event.tool_id);
  if (id) rememberToolCall(state, id, { name: text(event.tool_name) ?? 'tool', input: record(event.parameters) ?? {} });
}

/** Commands and file changes are shown when their result says how they went. */
function toolResult(event: Record<string, unknown>, state: StreamState): Activity[] {
  const call = takeToolCall(state, text(event.tool_id));
  if (!call) return [];
  const make = activityMaker(event);
  if (call.name === 'run_shell_command') {
    const command = text(call.input.command);
    return command ? [make('command', command, { toolName: call.name, command, exitCode: shellExitCode(event), filePath: filePathIn(command) })] : [];
  }
  if (!fileTools.has(call.name) || event.status !== 'success') return [];
  const file = pathInWorktree(text(call.input.file_path), state.cwd);
  return file ? [make('file_change', `${call.name} ${file}`, { toolName: call.name, filePath: file, files: [file] })] : [];
}

/**
 * Gemini CLI 0.61 reports a command that ran as a success whatever its exit code, with the
 * command's output as the result. A non-zero code is written out only in debug mode ("Exit Code:
 * N" line) or when the command printed nothing ("Command exited with code: N"). So only an empty
 * output proves a zero exit; output without a code leaves the code unknown.
 */
function shellExitCode(event: Record<string, unknown>): number | null {
  const output = typeof event.output === 'string' ? event.output : undefined;
  const shown = /^Exit Code: (-?\d+)$/m.exec(output ?? '') ?? /^Command exited with code: (-?\d+)$/.exec(output?.trim() ?? '');
  if (shown) return Number(shown[1]);
  return event.status === 'success' && output?.trim() === '' ? 0 : null;
}
