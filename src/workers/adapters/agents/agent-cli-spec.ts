import { isAbsolute, relative, sep } from 'node:path';
import type { Activity, TokenUsage } from '../../activity.js';

/** Agent kinds driven as headless CLIs that write JSONL events on stdout. */
export type CliAgentKind = 'codex' | 'claude' | 'gemini' | 'cursor' | 'droid';

/** What one attempt's stream has told so far; each agent's `interpret` fills it in. */
export interface StreamState {
  /** The worktree the agent works in: absolute paths inside it are shown relative to it. */
  cwd?: string;
  /** Session or thread id, so that a later attempt can resume the conversation. */
  sessionId?: string;
  /** The agent's last message: the AP reply is read from it. */
  finalText?: string;
  /** Token use and cost of the attempt so far. */
  usage?: TokenUsage;
  /** What the resumed session had used before this attempt; an agent reporting a session's total subtracts it. */
  resumedUsage?: TokenUsage;
  /** Set when the stream says the run ended well (Claude's and Gemini's `result`, Codex's `turn.completed`). */
  completed: boolean;
  /** Set when the stream says the run failed, with the agent's own words. */
  failure?: string;
  /** Set when the failure is a missing or refused credential. */
  authFailure?: boolean;
  /** The last error the stream reported, even a passing one: it explains a timeout. */
  lastError?: string;
  /** Set when the agent cannot recover (a refused key it would retry for minutes): end it now. */
  stop?: boolean;
  /** Tool calls waiting for their result, by call id: a result names only the id. */
  toolCalls?: Map<string, ToolCall>;
}

/** A tool call as the agent made it. */
export interface ToolCall {
  name: string;
  input: Record<string, unknown>;
}

export function rememberToolCall(state: StreamState, id: string, call: ToolCall): void {
  (state.toolCalls ??= new Map()).set(id, call);
}

/** The call a result answers, once: a second result for it, or one for an unseen call, gets nothing. */
export function takeToolCall(state: StreamState, id: string | undefined): ToolCall | undefined {
  const call = id === undefined ? undefined : state.toolCalls?.get(id);
  if (call) state.toolCalls!.delete(id!);
  return call;
}

export interface CommandLineInput {
  prompt: string;
  /** The objective's worktree: the agent works there and nowhere else. */
  cwd: string;
  model?: string;
  /** Session of an earlier attempt of the same agent on the same objective. */
  resumeSession?: string;
  /** Extra arguments from team.json (`args`), placed after the preset's. */
  extraArgs: readonly string[];
}

export interface CommandLine {
  args: string[];
  /** Written to the agent's stdin, which is then closed; long prompts go here rather than in argv. */
  stdin?: string;
}

/**
 * Everything the CLI adapter needs to know about one agent: how to start it unattended in a
 * worktree, and how to read its JSONL stream into activities and an outcome.
 */
export interface AgentCliSpec {
  agent: CliAgentKind;
  /** For people: "Codex", "Claude Code", ... */
  displayName: string;
  /** The executable looked up on PATH when team.json gives no `command`. */
  defaultCommand: string;
  /** npm package or install page, for "not installed" errors and `doctor`. */
  installHint: string;
  commandLine(input: CommandLineInput): CommandLine;
  /**
   * One parsed JSON event: the activities it stands for, after updating `state`. Shapes it does
   * not know give no activities; it never throws.
   */
  interpret(event: Record<string, unknown>, state: StreamState): Activity[];
  /** Environment variables that carry an API key, any one of which is enough. */
  keyVariables: readonly string[];
  /** Files under the home folder that a logged-in CLI keeps (a login instead of a key). */
  loginFiles: readonly string[];
  /** How to log in or set a key, for errors and `doctor`. */
  authHint: string;
  /** Environment the agent always needs for an unattended run (the worker's own env wins). */
  environment?: Readonly<Record<string, string>>;
  /**
   * Checks, without a model, that the agent can really run a command where it will work (its own
   * sandbox): null when it can, else what is wrong and how to fix it. For agents whose turn
   * "completes" even when every command failed to start.
   */
  checkCommands?(input: CommandCheckInput): Promise<string | null>;
}

export interface CommandCheckInput {
  command: string;
  extraArgs: readonly string[];
  /** The environment the agent starts with. */
  env: Record<string, string>;
  workerId?: string;
}

/** A string field, or undefined when absent or empty. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function number(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Adds one report of token use to the attempt's total. */
export function addUsage(state: StreamState, usage: TokenUsage | undefined): void {
  if (!usage) return;
  const total = state.usage ?? { inputTokens: 0, outputTokens: 0 };
  total.inputTokens += usage.inputTokens;
  total.outputTokens += usage.outputTokens;
  if (usage.costUsd !== undefined) total.costUsd = (total.costUsd ?? 0) + usage.costUsd;
  state.usage = total;
}

/** Absolute paths inside the worktree become repo-relative; others are kept as they are. */
export function pathInWorktree(path: string | undefined, cwd: string | undefined): string | undefined {
  if (!path || !cwd || !isAbsolute(path)) return path;
  const inside = relative(cwd, path);
  return inside && inside.split(sep)[0] !== '..' && !isAbsolute(inside) ? inside : path;
}

/** Whether extra args already say something about one of these flags (then the preset's is left out). */
export function mentionsFlag(args: readonly string[], flags: readonly string[]): boolean {
  return args.some((arg) => flags.some((flag) => arg === flag || arg.startsWith(`${flag}=`)));
}

/** Whether an agent's error text means a missing, invalid or refused credential. */
export function isAuthFailure(message: string): boolean {
  return /\b401\b|unauthori[sz]ed|invalid[_ ]?(x-)?api[_ ]?key|(missing|no) api key|api key (is )?(missing|invalid|not (set|found|valid))|not logged in|authentication[_ ](failed|error|required)|please run \/login|login required|set an auth method/i.test(message);
}
