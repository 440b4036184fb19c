import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { renderWorkerReply } from '../../core/worker-reply/worker-reply.js';
import { serverVersion } from '../../server/version.js';
import { apLogLine } from './ap-log-line.js';
import { readRunObjectiveInput } from './builtin-worker-input.js';
import { applyStep, describeStep, type ScriptOutcome } from './scripted-edits.js';

export const builtinToolName = 'run_objective';

/** Set by the bundler: the tool's JSON Schema, made from `runObjectiveInput` at build time. */
declare const __AP_WORKER_INPUT_SCHEMA__: Record<string, unknown> | undefined;

/** The MCP versions this worker speaks, newest first (the SDK's list; a test keeps them equal). */
export const protocolVersions = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05', '2024-10-07'];

export interface BuiltinWorkerOptions {
  /** AP-format log file to append one line per step to (optional). */
  logPath?: string;
  /** Writes one JSON-RPC message to the client. */
  send: (message: Record<string, unknown>) => void;
  /** What to do on a `crash` step; the CLI exits the process. */
  onCrash: (exitCode: number) => never;
}

type Id = string | number;

interface Message {
  jsonrpc?: unknown;
  id?: Id;
  method?: unknown;
  params?: Record<string, unknown>;
}

/**
 * The built-in worker: an MCP server that is not an AI. It carries out an objective's scripted
 * edits in the given folder, reporting each step as progress and as an AP log line, and answers
 * in the AP worker reply format. Demo, tests and benchmarks run the whole cycle with it.
 *
 * It speaks MCP's JSON-RPC itself (initialize, ping, tools/list, tools/call with progress, and
 * cancellation) instead of through the SDK's server: a run starts twenty of these at once on a
 * small machine, and the SDK with its schemas triples the CPU a worker takes to start.
 */
export function createBuiltinWorker(options: BuiltinWorkerOptions): { receive: (line: string) => void; close: () => Promise<void> } {
  const running = new Map<Id, AbortController>();
  const pending = new Set<Promise<void>>();
  /** Pings this worker sent, by id: their answers say the client has read what came before. */
  const pings = new Map<string, () => void>();
  let pingCount = 0;
  const respond = (id: Id, result: Record<string, unknown>) => options.send({ jsonrpc: '2.0', id, result });
  const fail = (id: Id | null, code: number, message: string) => options.send({ jsonrpc: '2.0', id, error: { code, message } });
  const log = (type: string, description: string, tool?: string) => {
    if (!options.logPath) return;
    const line = apLogLine(type, description, tool);
    try {
      appendFileSync(options.logPath, line);
    } catch (error) {
      // The folder is made when a line finds it missing (the first, or after it was removed).
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      mkdirSync(dirname(options.logPath), { recursive: true });
      appendFileSync(options.logPath, line);
    }
  };

  const callTool = async (params: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> => {
    if (params.name !== builtinToolName) {
      return { content: [{ type: 'text', text: `Unknown tool "${String(params.name)}"; this worker has only ${builtinToolName}.` }], isError: true };
    }
    const read = readRunObjectiveInput(params.arguments ?? {});
    if ('error' in read) return { content: [{ type: 'text', text: `Invalid arguments: ${read.error}` }], isError: true };
    const { input } = read;
    const title = input.title ?? /^TITLE: (.*)$/m.exec(input.prompt)?.[1] ?? input.objectiveId ?? 'objective';
    const progressToken = (params._meta as { progressToken?: unknown } | undefined)?.progressToken;
    const total = input.edits.length;
    let step = 0;
    let notifications = 0;
    const progress = async (message: string) => {
      if (progressToken === undefined || signal.aborted) return;
      // MCP progress must increase with every notification: steps count whole units, keep-alive ticks fractions.
      notifications += 1;
      options.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken, progress: Math.min(step + notifications / 10_000, total), total, message } });
    };

    log('TASK', `Starting ${input.objectiveId ?? ''} ${title}`.replace(/\s+/g, ' ').trim());
    const changes: string[] = [];
    let outcome: ScriptOutcome = { kind: 'completed' };
    try {
      for (const edit of input.edits) {
        const report = describeStep(edit);
        log(report.type, report.description, report.tool);
        await progress(report.tool ? `${report.tool} - ${report.description}` : report.description);
        const result = await applyStep(input.cwd, edit, signal, () => progress(report.description));
        if (result) {
          outcome = result;
          break;
        }
        if (report.file) changes.push(report.description);
        step += 1;
      }
    } catch (error) {
      outcome = { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
    }

    if (outcome.kind === 'crash') {
      log('ERROR', `Crashing with exit code ${outcome.exitCode}`);
      options.onCrash(outcome.exitCode);
    }
    const subject = `feat: ${title.charAt(0).toLowerCase()}${title.slice(1)}`;
    const reply = renderWorkerReply({
      status: outcome.kind === 'completed' ? 'COMPLETED' : outcome.kind === 'failed' ? 'FAILED' : 'BLOCKED',
      changeSummary: changes,
      testStatus: 'not run (the built-in worker carries out scripted edits only)',
      commitMessage: outcome.kind === 'completed' ? subject : null,
      failureReport: outcome.kind === 'failed' ? outcome.message : null,
      requestedScopeAddition: outcome.kind === 'blocked' ? outcome.requestedScope : [],
      reason: outcome.kind === 'blocked' ? outcome.reason : null,
    });
    log(outcome.kind === 'completed' ? 'DONE' : outcome.kind === 'failed' ? 'ERROR' : 'BLOCKED', outcome.kind === 'failed' ? outcome.message : `Finished ${title}`);
    // The reply itself says the call is done: no last progress notification, a wave ends twenty calls at once.
    if (notifications > 0) await delivered(signal);
    return { content: [{ type: 'text', text: reply }], isError: outcome.kind === 'failed' };
  };

  /**
   * Resolves once the client has answered a ping sent after the progress notifications: it has
   * then read and dispatched them. Without it the last notification and the response can reach
   * the client in one read, and MCP clients that dispatch notifications a microtask later than
   * responses (the SDK's) drop a notification whose call has already ended. Bounded: a client that
   * never answers pings costs two seconds, not the call.
   */
  const delivered = (signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      pingCount += 1;
      const id = `ap-delivered-${pingCount}`;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        pings.delete(id);
        resolve();
      };
      const timer = setTimeout(done, 2_000);
      signal.addEventListener('abort', done, { once: true });
      pings.set(id, done);
      options.send({ jsonrpc: '2.0', id, method: 'ping' });
    });

  const request = async (id: Id, method: string, params: Record<string, unknown>) => {
    switch (method) {
      case 'initialize': {
        const asked = params.protocolVersion;
        const protocolVersion = typeof asked === 'string' && protocolVersions.includes(asked) ? asked : protocolVersions[0];
        return respond(id, { protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'ap-orchestrator-builtin-worker', version: serverVersion } });
      }
      case 'ping':
        return respond(id, {});
      case 'tools/list':
        return respond(id, {
          tools: [{ name: builtinToolName, description: 'Carries out the scripted edits of an objective in a working directory.', inputSchema: await inputSchema() }],
        });
      case 'tools/call': {
        const controller = new AbortController();
        running.set(id, controller);
        try {
          const result = await callTool(params, controller.signal);
          // A cancelled request gets no answer (MCP: the client has stopped waiting).
          if (!controller.signal.aborted) respond(id, result);
        } finally {
          running.delete(id);
        }
        return;
      }
      default:
        return fail(id, -32601, `Method not found: ${method}`);
    }
  };

  return {
    receive(line: string) {
      if (!line.trim()) return;
      let message: Message;
      try {
        message = JSON.parse(line) as Message;
      } catch {
        return fail(null, -32700, 'Parse error: a line that is not JSON');
      }
      if (typeof message !== 'object' || message === null || typeof message.method !== 'string') {
        // A response from the client (to a ping: this worker asks nothing else) or something else: not a request.
        if (message && typeof message === 'object' && 'id' in message && !('result' in message) && !('error' in message)) fail(message.id ?? null, -32600, 'Invalid request');
        else if (message && typeof message === 'object' && typeof message.id === 'string') pings.get(message.id)?.();
        return;
      }
      const params = typeof message.params === 'object' && message.params !== null ? message.params : {};
      if (message.id === undefined) {
        if (message.method === 'notifications/cancelled') running.get(params.requestId as Id)?.abort(params.reason);
        return;
      }
      const id = message.id;
      const handled = request(id, message.method, params).catch((error: unknown) => fail(id, -32603, error instanceof Error ? error.message : String(error)));
      pending.add(handled);
      void handled.finally(() => pending.delete(handled));
    },
    /** The client is gone: running calls stop, and every request already read gets its answer. */
    async close() {
      for (const controller of running.values()) controller.abort('the client closed the connection');
      for (const answered of [...pings.values()]) answered();
      await Promise.all(pending);
    },
  };
}

async function inputSchema(): Promise<Record<string, unknown>> {
  if (typeof __AP_WORKER_INPUT_SCHEMA__ === 'object') return __AP_WORKER_INPUT_SCHEMA__;
  return (await import('./builtin-worker-schema.js')).runObjectiveJsonSchema();
}
