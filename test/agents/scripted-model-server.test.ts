import { afterEach, describe, expect, it } from 'vitest';
import { exampleFor, startScriptedModelServer, type ScriptedModelServer, type ScriptedModelServerOptions, type ScriptStep } from './scripted-model-server.js';

const SCRIPT: ScriptStep[] = [
  { shell: 'echo hi > a.txt' },
  { write: { path: 'b.txt', content: 'bee\n' } },
  { message: 'Done: wrote a.txt and b.txt' },
];

type Json = Record<string, unknown>;
interface SseEvent {
  event: string | undefined;
  data: Json;
}

let server: ScriptedModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: Partial<ScriptedModelServerOptions> = {}): Promise<ScriptedModelServer> {
  server = await startScriptedModelServer({ scriptFor: (text) => (text.includes('SCRIPTED') ? SCRIPT : undefined), ...options });
  return server;
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Parses a Server-Sent Events body into its events (`event:` name, if any, and JSON `data:`). */
async function sse(response: Response): Promise<SseEvent[]> {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => {
      const lines = chunk.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice('event: '.length);
      const data = lines.find((line) => line.startsWith('data: '))?.slice('data: '.length) ?? 'null';
      return { event, data: JSON.parse(data) as Json };
    });
}

// ---------------------------------------------------------------------------------------------
// OpenAI Responses (Codex)

const codexTools = [{ type: 'function', name: 'exec_command' }, { type: 'function', name: 'write_stdin' }];

function codexRequest(outputs: number, extra: Json = {}): Json {
  const input: Json[] = [
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: '<environment_context><cwd>/repo</cwd></environment_context>' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Please do the SCRIPTED work' }] },
  ];
  for (let index = 0; index < outputs; index++) {
    input.push({ type: 'function_call', call_id: `call_${index}`, name: 'exec_command', arguments: '{}' });
    input.push({ type: index % 2 === 0 ? 'function_call_output' : 'custom_tool_call_output', call_id: `call_${index}`, output: 'ok' });
  }
  return { model: 'mock-model', stream: true, input, tools: codexTools, ...extra };
}

async function codexItem(outputs: number): Promise<Json> {
  const events = await sse(await post('/v1/responses', codexRequest(outputs)));
  return events.find((event) => event.event === 'response.output_item.done')!.data.item as Json;
}

describe('OpenAI Responses API (Codex)', () => {
  it('streams a function call, then the next steps as tool outputs accumulate', async () => {
    await start();
    const events = await sse(await post('/v1/responses', codexRequest(0)));
    expect(events.map((event) => event.event)).toEqual(['response.created', 'response.output_item.added', 'response.output_item.done', 'response.completed']);
    for (const event of events) expect(event.data.type).toBe(event.event);

    const call = events[2]!.data.item as Json;
    expect(call).toMatchObject({ type: 'function_call', name: 'exec_command' });
    expect(typeof call.call_id).toBe('string');
    expect(JSON.parse(call.arguments as string)).toEqual({ cmd: 'echo hi > a.txt' });

    const patch = await codexItem(1);
    expect(patch.name).toBe('exec_command');
    const { cmd } = JSON.parse(patch.arguments as string) as { cmd: string };
    expect(cmd).toBe("apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: b.txt\n+bee\n*** End Patch\nEOF");

    // custom_tool_call_output counts as a tool result too.
    const final = await codexItem(2);
    expect(final).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Done: wrote a.txt and b.txt' }] });
    expect(await codexItem(3)).toMatchObject({ type: 'message', content: [{ text: 'Done.' }] });
  });

  it('reports usage on response.completed', async () => {
    await start({ usage: { input: 7, output: 3 } });
    const events = await sse(await post('/v1/responses', codexRequest(0)));
    const completed = events.at(-1)!.data.response as Json;
    expect(completed.usage).toEqual({
      input_tokens: 7,
      output_tokens: 3,
      total_tokens: 10,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens_details: { reasoning_tokens: 0 },
    });
  });

  it('writes content apply_patch cannot express with printf', async () => {
    server = await startScriptedModelServer({ scriptFor: () => [{ write: { path: 'dir/no newline.txt', content: "it's" } }] });
    const item = await codexItem(0);
    const { cmd } = JSON.parse(item.arguments as string) as { cmd: string };
    expect(cmd).toBe(`mkdir -p "$(dirname 'dir/no newline.txt')" && printf '%s' 'it'\\''s' > 'dir/no newline.txt'`);
  });

  it('answers non-streaming requests, unknown prompts, side requests and the model list', async () => {
    await start();
    const plain = (await (await post('/v1/responses', codexRequest(2, { stream: false }))).json()) as Json;
    expect(plain).toMatchObject({ object: 'response', status: 'completed', output: [{ type: 'message', content: [{ text: 'Done: wrote a.txt and b.txt' }] }] });

    const unknown = codexRequest(0);
    unknown.input = [{ role: 'user', content: 'something else' }];
    expect(await sse(await post('/v1/responses', unknown))).toContainEqual(expect.objectContaining({ data: expect.objectContaining({ item: expect.objectContaining({ content: [expect.objectContaining({ text: 'Nothing to do.' })] }) }) }));

    const structured = await sse(await post('/v1/responses', { input: 'title?', stream: true, text: { format: { type: 'json_schema', schema: { type: 'object', properties: { title: { type: 'string' } } } } } }));
    const text = ((structured[2]!.data.item as Json).content as Json[])[0]!.text as string;
    expect(JSON.parse(text)).toEqual({ title: 'ok' });

    const models = (await (await fetch(`${server!.url}/v1/models`)).json()) as Json;
    expect(models).toMatchObject({ object: 'list', data: [{ id: 'mock-model' }], models: [] });
  });
});

// ---------------------------------------------------------------------------------------------
// Anthropic Messages (Claude Code)

function claudeRequest(results: number, extra: Json = {}): Json {
  const messages: Json[] = [{ role: 'user', content: [{ type: 'text', text: '<system-reminder>context</system-reminder>' }, { type: 'text', text: 'Please do the SCRIPTED work' }] }];
  for (let index = 0; index < results; index++) {
    messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${index}`, name: 'Bash', input: {} }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${index}`, content: 'done' }] });
  }
  return {
    model: 'claude-sonnet-4-5',
    max_tokens: 32000,
    stream: true,
    system: [{ type: 'text', text: 'You are Claude Code.\n - Primary working directory: /work/repo\n - Is a git repository: true' }],
    tools: [{ name: 'Bash', input_schema: {} }, { name: 'Write', input_schema: {} }],
    messages,
    ...extra,
  };
}

/** Rebuilds the single content block of a streamed Anthropic message. */
function claudeBlock(events: SseEvent[]): { block: Json; stopReason: unknown } {
  const start = events.find((event) => event.event === 'content_block_start')!.data.content_block as Json;
  const delta = events.find((event) => event.event === 'content_block_delta')!.data.delta as Json;
  const stopReason = (events.find((event) => event.event === 'message_delta')!.data.delta as Json).stop_reason;
  if (delta.type === 'input_json_delta') return { block: { ...start, input: JSON.parse(delta.partial_json as string) as unknown }, stopReason };
  return { block: { ...start, text: delta.text }, stopReason };
}

const anthropicHeaders = { 'anthropic-version': '2023-06-01', 'x-api-key': 'dummy' };

describe('Anthropic Messages API (Claude Code)', () => {
  it('streams tool_use blocks, then the final text as tool results accumulate', async () => {
    await start();
    const events = await sse(await post('/v1/messages?beta=true', claudeRequest(0), anthropicHeaders));
    expect(events.map((event) => event.event)).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(claudeBlock(events)).toMatchObject({ block: { type: 'tool_use', name: 'Bash', input: { command: 'echo hi > a.txt' } }, stopReason: 'tool_use' });

    // The relative path is joined to the working directory found in the system prompt.
    const write = claudeBlock(await sse(await post('/v1/messages', claudeRequest(1), anthropicHeaders)));
    expect(write).toEqual({ block: { type: 'tool_use', id: expect.any(String) as string, name: 'Write', input: { file_path: '/work/repo/b.txt', content: 'bee\n' } }, stopReason: 'tool_use' });

    const final = claudeBlock(await sse(await post('/v1/messages', claudeRequest(2), anthropicHeaders)));
    expect(final).toEqual({ block: { type: 'text', text: 'Done: wrote a.txt and b.txt' }, stopReason: 'end_turn' });
    expect(claudeBlock(await sse(await post('/v1/messages', claudeRequest(5), anthropicHeaders))).block.text).toBe('Done.');
  });

  it('reports usage in message_start and message_delta', async () => {
    await start({ usage: { input: 11, output: 4 } });
    const events = await sse(await post('/v1/messages', claudeRequest(0), anthropicHeaders));
    expect((events[0]!.data.message as Json).usage).toMatchObject({ input_tokens: 11, cache_read_input_tokens: 0 });
    expect(events[4]!.data.usage).toEqual({ output_tokens: 4 });
  });

  it('answers non-streaming requests, structured side requests, token counts and the model list', async () => {
    await start();
    const plain = (await (await post('/v1/messages', claudeRequest(2, { stream: false }), anthropicHeaders)).json()) as Json;
    expect(plain).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Done: wrote a.txt and b.txt' }], stop_reason: 'end_turn', usage: { input_tokens: 20, output_tokens: 10 } });

    // Claude Code's title generation: no tools, a JSON schema in output_config.
    const title = claudeRequest(0, { tools: [], output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] } } } });
    expect(JSON.parse(claudeBlock(await sse(await post('/v1/messages', title, anthropicHeaders))).block.text as string)).toEqual({ title: 'ok' });

    // A quota probe: no tools, plain text.
    const quota = { model: 'claude-sonnet-4-5', max_tokens: 1, messages: [{ role: 'user', content: 'quota' }] };
    expect(await (await post('/v1/messages', quota, anthropicHeaders)).json()).toMatchObject({ content: [{ type: 'text', text: 'OK' }] });

    expect(await (await post('/v1/messages/count_tokens', claudeRequest(0), anthropicHeaders)).json()).toEqual({ input_tokens: 20 });
    const models = (await (await fetch(`${server!.url}/v1/models`, { headers: anthropicHeaders })).json()) as Json;
    expect(models).toMatchObject({ data: [{ type: 'model', id: 'claude-sonnet-4-5' }], has_more: false });
  });
});

// ---------------------------------------------------------------------------------------------
// Gemini API (Gemini CLI)

function geminiRequest(responses: number, extra: Json = {}): Json {
  const contents: Json[] = [
    { role: 'user', parts: [{ text: '<session_context>\n- **Workspace Directories:**\n  - /home/me/repo\n</session_context>' }] },
    { role: 'user', parts: [{ text: 'Please do the SCRIPTED work' }] },
  ];
  for (let index = 0; index < responses; index++) {
    contents.push({ role: 'model', parts: [{ functionCall: { name: 'run_shell_command', args: {} } }] });
    contents.push({ role: 'user', parts: [{ functionResponse: { name: 'run_shell_command', response: { output: 'ok' } } }] });
  }
  return { contents, tools: [{ functionDeclarations: [{ name: 'run_shell_command' }, { name: 'write_file' }] }], ...extra };
}

async function geminiPart(responses: number): Promise<Json> {
  const events = await sse(await post('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', geminiRequest(responses)));
  expect(events).toHaveLength(1);
  const [candidate] = events[0]!.data.candidates as Json[];
  expect(candidate).toMatchObject({ finishReason: 'STOP', content: { role: 'model' } });
  return ((candidate!.content as Json).parts as Json[])[0]!;
}

describe('Gemini API (Gemini CLI)', () => {
  it('streams function calls, then the final text as function responses accumulate', async () => {
    await start();
    expect(await geminiPart(0)).toMatchObject({ functionCall: { name: 'run_shell_command', args: { command: 'echo hi > a.txt' } } });
    expect(await geminiPart(1)).toEqual({ functionCall: { name: 'write_file', args: { file_path: '/home/me/repo/b.txt', content: 'bee\n' } } });
    expect(await geminiPart(2)).toEqual({ text: 'Done: wrote a.txt and b.txt' });
    expect(await geminiPart(3)).toEqual({ text: 'Done.' });
  });

  it('reports usageMetadata', async () => {
    await start({ usage: { input: 5, output: 2 } });
    const events = await sse(await post('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', geminiRequest(0)));
    expect(events[0]!.data.usageMetadata).toEqual({ promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 });
  });

  it('answers JSON-schema side requests, generateContent, countTokens and the model list', async () => {
    await start();
    // Gemini CLI's routing classifier (upper-case schema types, a score that must be >= 1) and next-speaker check.
    const schema = { type: 'OBJECT', properties: { complexity_reasoning: { type: 'STRING' }, complexity_score: { type: 'INTEGER' }, next_speaker: { type: 'STRING', enum: ['user', 'model'] } } };
    const classifier = { contents: [{ role: 'user', parts: [{ text: 'route this' }] }], generationConfig: { responseMimeType: 'application/json', responseJsonSchema: schema } };
    const response = (await (await post('/v1beta/models/gemini-2.5-flash-lite:generateContent', classifier)).json()) as Json;
    const [candidate] = response.candidates as Json[];
    const text = ((candidate!.content as Json).parts as Json[])[0]!.text as string;
    expect(JSON.parse(text)).toEqual({ complexity_reasoning: 'ok', complexity_score: 1, next_speaker: 'user' });

    const plain = (await (await post('/v1beta/models/gemini-2.5-flash:generateContent', geminiRequest(0))).json()) as Json;
    expect(plain.usageMetadata).toEqual({ promptTokenCount: 20, candidatesTokenCount: 10, totalTokenCount: 30 });

    expect(await (await post('/v1beta/models/gemini-2.5-flash:countTokens', geminiRequest(0))).json()).toEqual({ totalTokens: 20 });
    expect(await (await fetch(`${server!.url}/v1beta/models`)).json()).toMatchObject({ models: [{ name: 'models/gemini-2.5-flash' }] });
  });
});

// ---------------------------------------------------------------------------------------------
// Shared behaviour

describe('scripted model server', () => {
  it('records every model request', async () => {
    await start();
    await (await post('/v1/responses', codexRequest(0))).text();
    await (await post('/v1/messages', claudeRequest(0), anthropicHeaders)).text();
    await (await post('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', geminiRequest(0))).text();
    expect(server!.requests.map(({ api, path }) => ({ api, path }))).toEqual([
      { api: 'openai', path: '/v1/responses' },
      { api: 'anthropic', path: '/v1/messages' },
      { api: 'gemini', path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent' },
    ]);
    for (const request of server!.requests) expect(request.at).toBeGreaterThan(0);
  });

  it('honours delayMs for generation requests', async () => {
    await start({ delayMs: 300 });
    for (const [path, body] of [['/v1/responses', codexRequest(0)], ['/v1/messages', claudeRequest(0)], ['/v1beta/models/m:streamGenerateContent?alt=sse', geminiRequest(0)]] as const) {
      const started = Date.now();
      await (await post(path, body)).text();
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    }
  });

  it('answers a bad JSON body with 400 and keeps serving', async () => {
    await start();
    const cases: [string, (body: Json) => void][] = [
      ['/v1/responses', (body) => expect(body.error).toMatchObject({ message: expect.stringContaining('Invalid request body') as string })],
      ['/v1/messages', (body) => expect(body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } })],
      ['/v1beta/models/m:streamGenerateContent?alt=sse', (body) => expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' })],
    ];
    for (const [path, check] of cases) {
      for (const bad of ['{not json', '[1,2]', '']) {
        const response = await post(path, bad);
        expect(response.status).toBe(400);
        check((await response.json()) as Json);
      }
    }
    const gzipped = await fetch(`${server!.url}/v1/responses`, { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: 'not gzip' });
    expect(gzipped.status).toBe(400);
    expect(await geminiPart(0)).toHaveProperty('functionCall');
  });

  it('answers unknown paths with a JSON 404', async () => {
    await start();
    const response = await post('/v2/whatever', {});
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 404, message: 'Unknown path: POST /v2/whatever' } });
    expect((await fetch(`${server!.url}/`, { method: 'HEAD' })).status).toBe(200);
    expect(server!.requests).toEqual([]);
  });

  it('plays an invalid API key with failStatus 401', async () => {
    await start({ failStatus: 401 });
    const openai = await post('/v1/responses', codexRequest(0));
    expect(openai.status).toBe(401);
    expect(await openai.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
    const anthropic = await post('/v1/messages', claudeRequest(0), anthropicHeaders);
    expect(anthropic.status).toBe(401);
    expect(await anthropic.json()).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
    const gemini = await post('/v1beta/models/m:streamGenerateContent?alt=sse', geminiRequest(0));
    expect(gemini.status).toBe(401);
    expect(await gemini.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
  });
});

describe('exampleFor', () => {
  it('builds a value that follows the schema', () => {
    expect(exampleFor({ type: 'object', properties: { a: { type: 'string' }, b: { type: ['integer', 'null'], minimum: 5 }, c: { type: 'array', items: { type: 'boolean' }, minItems: 2 } } })).toEqual({ a: 'ok', b: 5, c: [false, false] });
    expect(exampleFor({ anyOf: [{ const: 'x' }, { type: 'string' }] })).toBe('x');
    expect(exampleFor({ type: 'STRING', enum: ['user', 'model'] })).toBe('user');
    expect(exampleFor(undefined)).toEqual({});
  });
});
