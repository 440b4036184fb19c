/**
 * JSONL session logs into activities: Codex (`codex exec --json` events and the rollout files
 * under ~/.codex/sessions), Claude Code (stream-json and its transcripts) and Gemini CLI
 * (stream-json). The shapes are told apart by their `type`; an unknown shape yields nothing.
 */
import { activity, filePathIn, type Activity, type ActivityKind, type TokenUsage } from '../activity.js';

type Json = Record<string, unknown>;

const source = 'jsonl';

/** Malformed JSON and unknown shapes both give `[]`; a caller that counts them parses itself. */
export function parseJsonlLogLine(line: string): Activity[] {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return [];
  }
  return activitiesFromJsonEvent(event);
}

export function activitiesFromJsonEvent(event: unknown): Activity[] {
  const value = record(event);
  if (!value) return [];
  const make = activityMaker(value);
  switch (value.type) {
    case 'item.started':
    case 'item.completed':
      return codexItem(record(value.item), value.type === 'item.started', make);
    case 'item.updated':
      // Only the plan changes in place; other items are shown when they start or complete.
      return record(value.item)?.type === 'todo_list' ? codexItem(record(value.item), false, make) : [];
    case 'turn.completed': {
      const usage = tokenUsage(record(value.usage));
      return usage ? [make('usage', usageText(usage), { usage })] : [];
    }
    case 'turn.failed':
      return [make('failed', text(record(value.error)?.message) ?? 'Turn failed')];
    case 'error':
      return [make('error', text(value.message) ?? 'Error')];
    case 'assistant':
      return claudeAssistant(value, make);
    case 'user':
      return claudeToolErrors(value, make);
    case 'result':
      return 'stats' in value || typeof value.status === 'string' ? geminiResult(value, make) : claudeResult(value, make);
    case 'tool_use':
      return [toolUse(make, text(value.tool_name) ?? 'tool', record(value.parameters))];
    case 'tool_result':
      return value.status === 'error' ? [make('error', text(record(value.error)?.message) ?? text(value.output) ?? 'Tool failed')] : [];
    case 'message':
      return value.role === 'assistant' && text(value.content) ? [make('message', text(value.content)!)] : [];
    case 'event_msg':
      return codexRolloutEvent(record(value.payload), make);
    case 'response_item':
      return codexRolloutItem(record(value.payload), make);
    default:
      return [];
  }
}

export type Make = (kind: ActivityKind, description: string, fields?: Partial<Activity>) => Activity;

/** Activities stamped with the event's own time; fields that came out undefined are left off, so activities from every source look alike. */
export function activityMaker(event: Json): Make {
  const timestamp = timestampOf(event.timestamp);
  return (kind, description, fields = {}) =>
    activity(kind, description, { ...Object.fromEntries(Object.entries(fields).filter((entry) => entry[1] !== undefined)), timestamp, source });
}

/** Commands and tool calls are shown when they start; everything else when it completes. */
function codexItem(item: Json | undefined, started: boolean, make: Make): Activity[] {
  if (!item) return [];
  const failed = item.status === 'failed';
  switch (item.type) {
    case 'command_execution': {
      const command = text(item.command) ?? '';
      const exitCode = started ? null : (number(item.exit_code) ?? null);
      return [make('command', command, { command, exitCode, filePath: filePathIn(command) })];
    }
    case 'file_change': {
      if (started) return [];
      const changes = array(item.changes).map(record).filter((change) => change !== undefined);
      const files = changes.map((change) => text(change.path)).filter((path) => path !== undefined);
      const description = changes.map((change) => `${text(change.kind) ?? 'update'} ${text(change.path) ?? ''}`.trim()).join(', ');
      return [make(failed ? 'error' : 'file_change', failed ? `Patch failed: ${description}` : description, { files, filePath: files[0] })];
    }
    case 'agent_message':
      return started || !text(item.text) ? [] : [make('message', text(item.text)!)];
    case 'reasoning':
      return started || !text(item.text) ? [] : [make('reasoning', text(item.text)!)];
    case 'mcp_tool_call': {
      const tool = text(item.tool) ?? 'tool';
      const server = text(item.server);
      if (started) return [make('tool_use', server ? `${server} ${tool}` : tool, { toolName: tool })];
      const error = text(record(item.error)?.message) ?? (failed ? `${tool} failed` : undefined);
      return error ? [make('error', error, { toolName: tool })] : [];
    }
    case 'web_search':
      return started ? [make('tool_use', text(item.query) ?? 'web search', { toolName: 'web_search' })] : [];
    case 'error':
      return started ? [] : [make('error', text(item.message) ?? 'Error')];
    case 'todo_list': {
      const plan = started ? undefined : planText(item);
      return plan ? [make('message', plan)] : [];
    }
    default:
      return [];
  }
}

/** `Plan: [x] first step; [ ] second step`, or undefined for an empty plan. */
function planText(item: Json): string | undefined {
  const steps = array(item.items)
    .map(record)
    .filter((step) => text(step?.text) !== undefined)
    .map((step) => `[${step?.completed === true ? 'x' : ' '}] ${text(step?.text)!}`);
  return steps.length > 0 ? `Plan: ${steps.join('; ')}` : undefined;
}

function claudeAssistant(event: Json, make: Make): Activity[] {
  const content = array(record(event.message)?.content);
  // An API failure arrives as an assistant message carrying an `error` code.
  const failure = text(event.error);
  const activities: Activity[] = [];
  for (const block of content.map(record)) {
    if (block?.type === 'tool_use') activities.push(toolUse(make, text(block.name) ?? 'tool', record(block.input)));
    else if (block?.type === 'text' && text(block.text)) activities.push(make(failure ? 'error' : 'message', text(block.text)!));
    else if (block?.type === 'thinking' && text(block.thinking)) activities.push(make('reasoning', text(block.thinking)!));
  }
  if (failure && activities.length === 0) activities.push(make('error', failure));
  return activities;
}

function claudeToolErrors(event: Json, make: Make): Activity[] {
  return array(record(event.message)?.content)
    .map(record)
    .filter((block) => block?.type === 'tool_result' && block.is_error === true)
    .map((block) => make('error', contentText(block?.content) ?? 'Tool failed'));
}

function claudeResult(event: Json, make: Make): Activity[] {
  const usage = tokenUsage(record(event.usage), number(event.total_cost_usd));
  const failed = event.is_error === true || (typeof event.subtype === 'string' && event.subtype !== 'success');
  const description = text(event.result) ?? (failed ? `Failed (${text(event.subtype) ?? 'error'})` : 'Completed');
  return [make(failed ? 'failed' : 'completed', description, usage ? { usage } : {})];
}

function geminiResult(event: Json, make: Make): Activity[] {
  const usage = tokenUsage(record(event.stats));
  const failed = event.status !== 'success';
  const description = failed ? (text(record(event.error)?.message) ?? `Failed (${text(event.status) ?? 'error'})`) : 'Completed';
  return [make(failed ? 'failed' : 'completed', description, usage ? { usage } : {})];
}

/** Rollout files record each message twice (event and response item); events carry the text. */
function codexRolloutEvent(payload: Json | undefined, make: Make): Activity[] {
  switch (payload?.type) {
    case 'agent_message':
      return text(payload.message) ? [make('message', text(payload.message)!)] : [];
    case 'agent_reasoning':
      return text(payload.text) ? [make('reasoning', text(payload.text)!)] : [];
    case 'token_count': {
      const usage = tokenUsage(record(record(payload.info)?.last_token_usage));
      return usage ? [make('usage', usageText(usage), { usage })] : [];
    }
    case 'error':
      return [make('error', text(payload.message) ?? 'Error')];
    default:
      return [];
  }
}

function codexRolloutItem(payload: Json | undefined, make: Make): Activity[] {
  if (payload?.type === 'custom_tool_call' && payload.name === 'apply_patch') {
    const files = [...(text(payload.input) ?? '').matchAll(/^\*\*\* (?:Add|Update|Delete) File: (.+)$/gm)].map((match) => match[1]!.trim());
    return [make('file_change', files.length > 0 ? `apply_patch ${files.join(', ')}` : 'apply_patch', { toolName: 'apply_patch', files, filePath: files[0] })];
  }
  if (payload?.type !== 'function_call') return [];
  const name = text(payload.name) ?? 'tool';
  const input = record(parseArguments(payload.arguments));
  const command = commandText(input?.command) ?? commandText(input?.cmd);
  if (command !== undefined) return [make('command', command, { toolName: name, command, exitCode: null, filePath: filePathIn(command) })];
  return [toolUse(make, name, input)];
}

/** Claude and Gemini tool calls: the file comes from the input, else from the command. */
function toolUse(make: Make, toolName: string, input: Json | undefined): Activity {
  const command = commandText(input?.command);
  const filePath = text(input?.file_path) ?? text(input?.absolute_path) ?? text(input?.notebook_path) ?? text(input?.path) ?? (command ? filePathIn(command) : undefined);
  const description = text(input?.description) ?? command ?? filePath ?? text(input?.pattern) ?? text(input?.query) ?? text(input?.url) ?? toolName;
  return make('tool_use', description, { toolName, filePath, command });
}

function tokenUsage(usage: Json | undefined, costUsd?: number): TokenUsage | undefined {
  if (!usage) return undefined;
  const inputTokens = number(usage.input_tokens) ?? number(usage.input);
  const outputTokens = number(usage.output_tokens);
  if (inputTokens === undefined && outputTokens === undefined) return undefined;
  const result: TokenUsage = { inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0 };
  if (costUsd !== undefined) result.costUsd = costUsd;
  return result;
}

function usageText(usage: TokenUsage): string {
  return `${usage.inputTokens} input, ${usage.outputTokens} output tokens`;
}

function timestampOf(value: unknown): string {
  const milliseconds = typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : Number.NaN;
  return Number.isFinite(milliseconds) ? new Date(milliseconds).toISOString() : new Date().toISOString();
}

function parseArguments(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** Codex gives argv arrays (`["bash", "-lc", "ls"]`), the others strings. */
function commandText(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.every((part) => typeof part === 'string') && value.length > 0 ? value.join(' ') : undefined;
  return text(value);
}

/** Tool result content: a string, or text blocks. */
export function contentText(value: unknown): string | undefined {
  if (typeof value === 'string') return value || undefined;
  const parts = array(value)
    .map((part) => text(record(part)?.text))
    .filter((part) => part !== undefined);
  return parts.length > 0 ? parts.join('\n') : undefined;
}

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function number(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
