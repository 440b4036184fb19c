import { activitiesFromJsonEvent } from '../../log-monitor/jsonl-log-parser.js';
import { addUsage, isAuthFailure, mentionsFlag, number, record, text, type AgentCliSpec } from './agent-cli-spec.js';
import { probeCodexSandbox } from './codex-sandbox-probe.js';

/**
 * Codex: `codex exec --json`, the prompt on stdin (`-`). It edits inside the worktree under the
 * `workspace-write` sandbox and never asks for approval in exec mode. Without a reachable model
 * it retries forever ("Reconnecting..."): the orchestrator's timeout ends it. A turn whose
 * commands all failed to start still completes, so the sandbox is tried first (`checkCommands`).
 */
export const codexSpec: AgentCliSpec = {
  agent: 'codex',
  displayName: 'Codex',
  defaultCommand: 'codex',
  installHint: 'npm install -g @openai/codex',
  keyVariables: ['OPENAI_API_KEY', 'CODEX_API_KEY'],
  loginFiles: ['.codex/auth.json'],
  authHint: 'Run `codex login`, or list OPENAI_API_KEY in the worker\'s env as "${OPENAI_API_KEY}".',
  checkCommands: probeCodexSandbox,

  commandLine({ prompt, cwd, model, resumeSession, extraArgs }) {
    const args = ['exec', '--json', '--skip-git-repo-check', '--color', 'never', '-C', cwd];
    if (!mentionsFlag(extraArgs, ['--sandbox', '-s', '--dangerously-bypass-approvals-and-sandbox', '--full-auto'])) args.push('--sandbox', 'workspace-write');
    if (model && !mentionsFlag(extraArgs, ['--model', '-m'])) args.push('--model', model);
    args.push(...extraArgs);
    // Options go before `resume`, whose own arguments are the session and the prompt.
    if (resumeSession) args.push('resume', resumeSession);
    args.push('-');
    return { args, stdin: prompt };
  },

  interpret(event, state) {
    switch (event.type) {
      case 'thread.started':
        state.sessionId = text(event.thread_id) ?? state.sessionId;
        break;
      case 'item.completed': {
        const item = record(event.item);
        if (item?.type === 'agent_message') state.finalText = text(item.text) ?? state.finalText;
        break;
      }
      case 'turn.completed': {
        // The usage is the thread's running total: a resumed thread brings its earlier attempts' share.
        const usage = record(event.usage);
        const before = state.resumedUsage;
        addUsage(state, {
          inputTokens: Math.max(0, (number(usage?.input_tokens) ?? 0) - (before?.inputTokens ?? 0)),
          outputTokens: Math.max(0, (number(usage?.output_tokens) ?? 0) - (before?.outputTokens ?? 0)),
        });
        state.completed = true;
        break;
      }
      case 'turn.failed': {
        const message = text(record(event.error)?.message) ?? 'The turn failed.';
        state.failure = message;
        state.authFailure ||= isAuthFailure(message);
        break;
      }
      case 'error': {
        const message = text(event.message) ?? '';
        // Reconnect notices are not the end; a refused key is, though Codex would retry it.
        if (isAuthFailure(message)) {
          state.failure = message;
          state.authFailure = true;
          state.stop = true;
        }
        state.lastError = message || state.lastError;
        break;
      }
    }
    return activitiesFromJsonEvent(event);
  },
};
