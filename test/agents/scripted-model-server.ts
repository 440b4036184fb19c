/**
 * A local HTTP server that plays the model for real agent CLIs in tests:
 * Codex (OpenAI Responses API), Claude Code (Anthropic Messages API) and Gemini CLI (Gemini API).
 *
 * Each request is answered from a script chosen by `scriptFor(promptText)`. The server keeps no
 * conversation state: the step to answer with is the number of tool results already present in the
 * request's conversation, so a CLI that retries a request gets the same answer again.
 *
 * A request is the agent's main conversation when it offers tools. Other requests (title generation,
 * quota probes, routing and next-speaker checks that want JSON, token counts, model listings) get a
 * short, valid answer of the right shape: a value following the requested JSON schema, else "OK".
 *
 * Set AP_MOCK_DEBUG=1 to log every request to stderr (AP_MOCK_DEBUG=body also logs request bodies).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

export type ScriptStep =
  /** Run a shell command. Codex: exec_command {cmd}; Claude: Bash {command}; Gemini: run_shell_command {command}. */
  | { shell: string }
  /** Write a file (path relative to the agent's working directory). */
  | { write: { path: string; content: string } }
  /** Final assistant text; ends the turn. */
  | { message: string };

export interface ScriptedModelServerOptions {
  /** Picks the script for a request: called with the whole concatenated text of the request's user messages/prompt. Return undefined for a default reply ("Nothing to do."). */
  scriptFor(promptText: string): ScriptStep[] | undefined;
  /** Delay before answering each generation request (ms), for the speedup benchmark. Default 0. Listings and token counts are not delayed. */
  delayMs?: number;
  /** Token usage reported per response. Default {input: 20, output: 10}. */
  usage?: { input: number; output: number };
  /**
   * Answer every model request with this HTTP status and an API-shaped error body instead of a reply,
   * e.g. 401 to play a missing or invalid API key. Default: answer normally.
   */
  failStatus?: number;
}

export type ModelApi = 'openai' | 'anthropic' | 'gemini';

export interface ScriptedModelServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Every model request seen (main conversation and side requests alike), in arrival order. */
  requests: { api: ModelApi; path: string; at: number }[];
  close(): Promise<void>;
}

const DEFAULT_REPLY = 'Nothing to do.';
const STEPS_EXHAUSTED_REPLY = 'Done.';
const MAX_BODY_BYTES = 64 * 1024 * 1024;

type Json = Record<string, unknown>;
type Usage = { input: number; output: number };

/** What a CLI asked for, reduced to what a reply depends on. */
interface Conversation {
  /** Concatenated text of the user's messages (tool results excluded). */
  promptText: string;
  /** Tool results already in the conversation: the index of the step to play. */
  toolResults: number;
  /** Names of the tools the request offers; empty for side requests. */
  tools: string[];
  /** A JSON schema the reply must follow (structured-output side requests). */
  jsonSchema: unknown;
  /** The agent's working directory if the request mentions it. */
  cwd: string | undefined;
}

/** One model turn, independent of the wire format. */
type Reply =
  | { kind: 'text'; text: string }
  | { kind: 'tool'; name: string; input: Json };

class BadRequest extends Error {}

const debugMode = process.env.AP_MOCK_DEBUG;
function debug(message: string): void {
  if (debugMode) process.stderr.write(`[mock-model] ${message}\n`);
}

export async function startScriptedModelServer(options: ScriptedModelServerOptions): Promise<ScriptedModelServer> {
  const requests: ScriptedModelServer['requests'] = [];
  const usage = options.usage ?? { input: 20, output: 10 };
  const delayMs = options.delayMs ?? 0;
  let nextId = 1;
  const newId = (prefix: string) => `${prefix}_mock_${nextId++}`;

  /** The reply for a conversation: a script step for the main conversation, a short answer otherwise. */
  const replyFor = (conversation: Conversation, api: ModelApi): Reply => {
    if (conversation.jsonSchema !== undefined) return { kind: 'text', text: JSON.stringify(exampleFor(conversation.jsonSchema)) };
    if (conversation.tools.length === 0) return { kind: 'text', text: 'OK' };
    const steps = options.scriptFor(conversation.promptText);
    if (!steps) return { kind: 'text', text: DEFAULT_REPLY };
    const step = steps[conversation.toolResults];
    if (!step) return { kind: 'text', text: STEPS_EXHAUSTED_REPLY };
    if ('message' in step) return { kind: 'text', text: step.message };
    return api === 'openai' ? codexToolCall(step, conversation) : api === 'anthropic' ? claudeToolCall(step, conversation) : geminiToolCall(step, conversation);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/\/{2,}/g, '/');
    const method = req.method ?? 'GET';
    const route = routeOf(method, path, req);
    const raw = await readBody(req);
    if (debugMode) {
      debug(`${method} ${req.url ?? ''} -> ${route ? `${route.api}/${route.kind}` : 'unknown'} (${raw.length} bytes)`);
      if (debugMode === 'body' && raw.length > 0) debug(`  body: ${raw.toString('utf8').slice(0, 1_000_000)}`);
    }
    if (!route && path === '/' && (method === 'HEAD' || method === 'GET')) {
      // Claude Code probes the base URL with `HEAD /` before its first request.
      res.writeHead(200).end();
      return;
    }
    if (!route) {
      sendJson(res, 404, { error: { code: 404, message: `Unknown path: ${method} ${path}`, type: 'not_found_error' } });
      return;
    }
    requests.push({ api: route.api, path, at: Date.now() });

    let body: Json = {};
    if (method === 'POST') {
      try {
        body = parseJsonObject(raw);
      } catch (error) {
        sendError(res, route.api, 400, `Invalid request body: ${(error as Error).message}`);
        return;
      }
    }
    if (options.failStatus !== undefined) {
      sendError(res, route.api, options.failStatus, failMessage(route.api, options.failStatus));
      return;
    }
    if (delayMs > 0 && route.kind === 'generate') await sleep(delayMs);

    switch (route.api) {
      case 'openai':
        return answerOpenAi(route.kind, body, res);
      case 'anthropic':
        return answerAnthropic(route.kind, body, res);
      case 'gemini':
        return answerGemini(route, body, res);
    }
  };

  const answerOpenAi = (kind: RouteKind, body: Json, res: ServerResponse): void => {
    if (kind === 'models') {
      // Codex reads `models` (its own catalogue format; empty means "use fallback metadata"); OpenAI clients read `data`.
      sendJson(res, 200, { object: 'list', data: [{ id: 'mock-model', object: 'model', created: 0, owned_by: 'mock' }], models: [] });
      return;
    }
    const conversation = openAiConversation(body);
    const reply = replyFor(conversation, 'openai');
    const responseId = newId('resp');
    const item = reply.kind === 'text'
      ? { type: 'message', id: newId('msg'), role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: reply.text, annotations: [] }] }
      : { type: 'function_call', id: newId('fc'), call_id: newId('call'), name: reply.name, arguments: JSON.stringify(reply.input), status: 'completed' };
    const response = {
      id: responseId,
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      status: 'completed',
      model: typeof body.model === 'string' ? body.model : 'mock-model',
      output: [item],
      usage: openAiUsage(usage),
    };
    if (body.stream !== true) {
      sendJson(res, 200, response);
      return;
    }
    const events: [string, Json][] = [
      ['response.created', { type: 'response.created', response: { ...response, status: 'in_progress', output: [], usage: null } }],
      ['response.output_item.added', { type: 'response.output_item.added', output_index: 0, item }],
      ['response.output_item.done', { type: 'response.output_item.done', output_index: 0, item }],
      ['response.completed', { type: 'response.completed', response }],
    ];
    sendSse(res, events);
  };

  const answerAnthropic = (kind: RouteKind, body: Json, res: ServerResponse): void => {
    if (kind === 'models') {
      const model = { type: 'model', id: 'claude-sonnet-4-5', display_name: 'Mock Claude', created_at: '2025-01-01T00:00:00Z' };
      sendJson(res, 200, { data: [model], has_more: false, first_id: model.id, last_id: model.id });
      return;
    }
    if (kind === 'count') {
      sendJson(res, 200, { input_tokens: usage.input });
      return;
    }
    const reply = replyFor(anthropicConversation(body), 'anthropic');
    const model = typeof body.model === 'string' ? body.model : 'claude-sonnet-4-5';
    const block = reply.kind === 'text'
      ? { type: 'text', text: reply.text }
      : { type: 'tool_use', id: newId('toolu'), name: reply.name, input: reply.input };
    const stopReason = reply.kind === 'text' ? 'end_turn' : 'tool_use';
    const messageUsage = { input_tokens: usage.input, output_tokens: usage.output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    const message = { id: newId('msg'), type: 'message', role: 'assistant', model, content: [block], stop_reason: stopReason, stop_sequence: null, usage: messageUsage };
    if (body.stream !== true) {
      sendJson(res, 200, message);
      return;
    }
    const start = block.type === 'text' ? { type: 'text', text: '' } : { ...block, input: {} };
    const delta = reply.kind === 'text'
      ? { type: 'text_delta', text: reply.text }
      : { type: 'input_json_delta', partial_json: JSON.stringify(reply.input) };
    sendSse(res, [
      ['message_start', { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...messageUsage, output_tokens: 1 } } }],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: start }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta }],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      ['message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output } }],
      ['message_stop', { type: 'message_stop' }],
    ]);
  };

  const answerGemini = (route: Route, body: Json, res: ServerResponse): void => {
    if (route.kind === 'models') {
      sendJson(res, 200, { models: [{ name: 'models/gemini-2.5-flash', displayName: 'Mock Gemini', supportedGenerationMethods: ['generateContent', 'countTokens'] }] });
      return;
    }
    if (route.kind === 'count') {
      sendJson(res, 200, { totalTokens: usage.input });
      return;
    }
    const reply = replyFor(geminiConversation(body), 'gemini');
    const part = reply.kind === 'text' ? { text: reply.text } : { functionCall: { name: reply.name, args: reply.input } };
    const response = {
      candidates: [{ content: { role: 'model', parts: [part] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: usage.input, candidatesTokenCount: usage.output, totalTokenCount: usage.input + usage.output },
      modelVersion: route.model ?? 'mock',
    };
    if (route.stream) sendSse(res, [[undefined, response]]);
    else sendJson(res, 200, response);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      debug(`request failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      if (!res.headersSent) sendJson(res, error instanceof BadRequest ? 400 : 500, { error: { message: String(error) } });
      else res.destroy();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Routing

type RouteKind = 'generate' | 'count' | 'models';
interface Route {
  api: ModelApi;
  kind: RouteKind;
  /** Gemini only: the model named in the path, and whether the answer is a Server-Sent Events stream. */
  model?: string;
  stream?: boolean;
}

function routeOf(method: string, path: string, req: IncomingMessage): Route | undefined {
  // Gemini: /v1beta/models/MODEL:method (the CLI uses v1beta; v1 and v1alpha have the same shape).
  const gemini = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):([A-Za-z]+)$/.exec(path);
  if (gemini && method === 'POST') {
    const [, model, action] = gemini;
    if (action === 'streamGenerateContent') return { api: 'gemini', kind: 'generate', model, stream: true };
    if (action === 'generateContent') return { api: 'gemini', kind: 'generate', model, stream: false };
    if (action === 'countTokens') return { api: 'gemini', kind: 'count', model };
    return undefined;
  }
  if (method === 'GET' && /^\/v1(?:beta|alpha)\/models$/.test(path)) return { api: 'gemini', kind: 'models' };
  if (method === 'POST' && path === '/v1/responses') return { api: 'openai', kind: 'generate' };
  if (method === 'POST' && path === '/v1/messages') return { api: 'anthropic', kind: 'generate' };
  if (method === 'POST' && path === '/v1/messages/count_tokens') return { api: 'anthropic', kind: 'count' };
  if (method === 'GET' && path === '/v1/models') {
    // Both OpenAI and Anthropic list models here; Anthropic clients always send anthropic-version.
    return { api: req.headers['anthropic-version'] ? 'anthropic' : 'openai', kind: 'models' };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Reading requests

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BadRequest('request body too large');
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks);
  try {
    switch (req.headers['content-encoding']) {
      case 'gzip':
        return gunzipSync(raw);
      case 'deflate':
        return inflateSync(raw);
      case 'br':
        return brotliDecompressSync(raw);
      default:
        return raw;
    }
  } catch {
    throw new BadRequest(`cannot decode ${String(req.headers['content-encoding'])} body`);
  }
}

function parseJsonObject(raw: Buffer): Json {
  const value: unknown = JSON.parse(raw.toString('utf8'));
  if (!isRecord(value)) throw new Error('expected a JSON object');
  return value;
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The agent's working directory, from the environment block each CLI puts in its prompt. */
function findCwd(texts: string[]): string | undefined {
  const patterns = [
    /<cwd>([^<]+)<\/cwd>/, // Codex environment_context
    /(?:Primary working directory|Working directory):\s*(\/[^\n]*)/, // Claude Code <env>
    /Workspace Directories:\**\s*-\s*(\/[^\n]*)/, // Gemini CLI <session_context>
  ];
  for (const text of texts) {
    for (const pattern of patterns) {
      const found = pattern.exec(text)?.[1]?.trim();
      if (found && isAbsolute(found)) return found;
    }
  }
  return undefined;
}

function openAiConversation(body: Json): Conversation {
  const items = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : records(body.input);
  const userTexts: string[] = [];
  let toolResults = 0;
  for (const item of items) {
    // function_call_output, custom_tool_call_output and the like: one per tool call answered.
    if (typeof item.type === 'string' && item.type.endsWith('_call_output')) toolResults++;
    else if (item.role === 'user') {
      if (typeof item.content === 'string') userTexts.push(item.content);
      else for (const part of records(item.content)) userTexts.push(textOf(part.text));
    }
  }
  const tools = records(body.tools).map((tool) => textOf(tool.name) || textOf(tool.type)).filter(Boolean);
  const format = isRecord(body.text) && isRecord(body.text.format) ? body.text.format : undefined;
  const jsonSchema = format?.type === 'json_schema' ? (format.schema ?? {}) : undefined;
  const instructions = textOf(body.instructions);
  return { promptText: userTexts.join('\n'), toolResults, tools, jsonSchema, cwd: findCwd([...userTexts, instructions]) };
}

function anthropicConversation(body: Json): Conversation {
  const userTexts: string[] = [];
  let toolResults = 0;
  for (const message of records(body.messages)) {
    if (typeof message.content === 'string') {
      if (message.role === 'user') userTexts.push(message.content);
      continue;
    }
    for (const block of records(message.content)) {
      if (block.type === 'tool_result') toolResults++;
      else if (message.role === 'user' && block.type === 'text') userTexts.push(textOf(block.text));
    }
  }
  const systemTexts = typeof body.system === 'string' ? [body.system] : records(body.system).map((block) => textOf(block.text));
  const tools = records(body.tools).map((tool) => textOf(tool.name)).filter(Boolean);
  // Structured outputs: `output_format` (beta) or `output_config.format`.
  const format = isRecord(body.output_format) ? body.output_format : isRecord(body.output_config) && isRecord(body.output_config.format) ? body.output_config.format : undefined;
  const jsonSchema = format?.type === 'json_schema' ? (format.schema ?? {}) : undefined;
  return { promptText: userTexts.join('\n'), toolResults, tools, jsonSchema, cwd: findCwd([...systemTexts, ...userTexts]) };
}

function geminiConversation(body: Json): Conversation {
  const userTexts: string[] = [];
  let toolResults = 0;
  for (const content of records(body.contents)) {
    for (const part of records(content.parts)) {
      if (part.functionResponse !== undefined) toolResults++;
      else if (content.role === 'user' && typeof part.text === 'string') userTexts.push(part.text);
    }
  }
  const tools = records(body.tools).flatMap((tool) => records(tool.functionDeclarations).map((declaration) => textOf(declaration.name))).filter(Boolean);
  // The CLI's helper calls (next-speaker check, model routing...) ask for JSON through generationConfig.
  const config = isRecord(body.generationConfig) ? body.generationConfig : {};
  const jsonSchema = config.responseJsonSchema ?? config.responseSchema ?? (config.responseMimeType === 'application/json' ? {} : undefined);
  const systemInstruction = isRecord(body.systemInstruction) ? records(body.systemInstruction.parts).map((part) => textOf(part.text)) : [];
  return { promptText: userTexts.join('\n'), toolResults, tools, jsonSchema, cwd: findCwd([...userTexts, ...systemInstruction]) };
}

// ---------------------------------------------------------------------------------------------
// Script steps as each CLI's tool calls

/** Shell-quotes a string for POSIX sh. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A shell command that writes `content` to `path` byte for byte. */
function shellWrite(path: string, content: string): string {
  return `mkdir -p "$(dirname ${shellQuote(path)})" && printf '%s' ${shellQuote(content)} > ${shellQuote(path)}`;
}

function codexToolCall(step: Exclude<ScriptStep, { message: string }>, conversation: Conversation): Reply {
  const command = 'shell' in step ? step.shell : codexWriteCommand(step.write.path, step.write.content);
  // Codex offers `exec_command` (unified exec) by default; older tool sets use `shell` (argv) or `shell_command`.
  if (conversation.tools.includes('exec_command') || !conversation.tools.some((tool) => tool === 'shell' || tool === 'shell_command')) {
    return { kind: 'tool', name: 'exec_command', input: { cmd: command } };
  }
  if (conversation.tools.includes('shell_command')) return { kind: 'tool', name: 'shell_command', input: { command } };
  return { kind: 'tool', name: 'shell', input: { command: ['bash', '-lc', command] } };
}

/**
 * Codex recognises an `apply_patch` heredoc inside a shell command and applies it itself (a `file_change`
 * item). A patch can only add files whose content ends with a newline and has no line equal to the
 * heredoc terminator; anything else is written with printf.
 */
function codexWriteCommand(path: string, content: string): string {
  const lines = content.split('\n');
  const patchable = content.endsWith('\n') && !lines.includes('EOF') && !path.includes('\n');
  if (!patchable) return shellWrite(path, content);
  const added = lines.slice(0, -1).map((line) => `+${line}`);
  return ['apply_patch <<\'EOF\'', '*** Begin Patch', `*** Add File: ${path}`, ...added, '*** End Patch', 'EOF'].join('\n');
}

function claudeToolCall(step: Exclude<ScriptStep, { message: string }>, conversation: Conversation): Reply {
  if ('shell' in step) return { kind: 'tool', name: 'Bash', input: { command: step.shell, description: 'Run scripted command' } };
  // Write wants an absolute path; Claude Code states its working directory in the system prompt.
  const filePath = isAbsolute(step.write.path) || !conversation.cwd ? step.write.path : join(conversation.cwd, step.write.path);
  return { kind: 'tool', name: 'Write', input: { file_path: filePath, content: step.write.content } };
}

function geminiToolCall(step: Exclude<ScriptStep, { message: string }>, conversation: Conversation): Reply {
  if ('shell' in step) return { kind: 'tool', name: 'run_shell_command', input: { command: step.shell, description: 'Run scripted command' } };
  const filePath = isAbsolute(step.write.path) || !conversation.cwd ? step.write.path : join(conversation.cwd, step.write.path);
  return { kind: 'tool', name: 'write_file', input: { file_path: filePath, content: step.write.content } };
}

// ---------------------------------------------------------------------------------------------
// Writing replies

/** A minimal value satisfying a JSON schema (also Gemini's upper-case OpenAPI subset): first enum value, all properties. */
export function exampleFor(schema: unknown): unknown {
  if (!isRecord(schema)) return {};
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ('default' in schema) return schema.default;
  const alternatives = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
  if (alternatives && alternatives.length > 0) return exampleFor(alternatives[0]);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const type = textOf(types.find((candidate) => candidate !== 'null') ?? (isRecord(schema.properties) ? 'object' : '')).toLowerCase();
  switch (type) {
    case 'object': {
      const properties = isRecord(schema.properties) ? schema.properties : {};
      return Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, exampleFor(property)]));
    }
    case 'array': {
      const count = typeof schema.minItems === 'number' ? schema.minItems : 0;
      return Array.from({ length: count }, () => exampleFor(schema.items));
    }
    case 'string':
      return 'ok';
    case 'number':
    case 'integer':
      // 1 rather than 0: Gemini CLI's routing classifier wants a score of at least 1 without saying so in its schema.
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return {};
  }
}

function openAiUsage(usage: Usage): Json {
  return {
    input_tokens: usage.input,
    output_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens_details: { reasoning_tokens: 0 },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Server-Sent Events; an undefined event name writes a bare `data:` line (the Gemini API's style). */
function sendSse(res: ServerResponse, events: [string | undefined, unknown][]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const [event, data] of events) res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
  res.end();
}

function failMessage(api: ModelApi, status: number): string {
  if (status !== 401) return `Mock failure (HTTP ${status})`;
  if (api === 'openai') return 'Incorrect API key provided: dummy.';
  if (api === 'anthropic') return 'invalid x-api-key';
  return 'API key not valid. Please pass a valid API key.';
}

/** An error in the shape each API uses, so the CLI reports it the way it would for the real service. */
function sendError(res: ServerResponse, api: ModelApi, status: number, message: string): void {
  const authFailure = status === 401;
  if (api === 'openai') {
    sendJson(res, status, { error: { message, type: authFailure ? 'invalid_request_error' : 'server_error', param: null, code: authFailure ? 'invalid_api_key' : null } });
  } else if (api === 'anthropic') {
    const type = authFailure ? 'authentication_error' : status === 400 ? 'invalid_request_error' : 'api_error';
    sendJson(res, status, { type: 'error', error: { type, message } });
  } else {
    const statusName = authFailure ? 'UNAUTHENTICATED' : status === 400 ? 'INVALID_ARGUMENT' : 'INTERNAL';
    sendJson(res, status, { error: { code: status, message, status: statusName } });
  }
}
