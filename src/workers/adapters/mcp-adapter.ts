import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { LoggingMessageNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';
import { parseWorkerReply } from '../../core/worker-reply/worker-reply.js';
import { workerEnvironment, type WorkerConfig } from '../../config/worker-config.js';
import type { Logger } from '../../logger.js';
import { serverVersion } from '../../server/version.js';
import { activity, activityFromText } from '../activity.js';
import { ChildProcessTransport } from '../process/child-process-transport.js';
import { ManagedProcess } from '../process/managed-process.js';
import type { Assignment, AttemptResult, ProcessObserver, WorkerAdapter } from '../worker-adapter.js';

interface Connection {
  process: ManagedProcess;
  client: Client;
}

/**
 * A worker that is an MCP server. The orchestrator is its client: it calls the configured tool
 * with the prompt and the worktree, maps progress and logging notifications to activities, and
 * cancels with `notifications/cancelled` (the SDK sends it when the call's signal aborts). One
 * process serves every objective of the worker; a crashed process is started again on next use.
 */
export class McpWorkerAdapter implements WorkerAdapter {
  private connection: Promise<Connection> | undefined;
  private readonly listeners = new Set<Assignment>();
  /** Every process this adapter started that has not exited: `stop` reaches even one still booting. */
  private readonly processes = new Set<ManagedProcess>();
  private restartWhenIdle = false;

  constructor(
    readonly config: WorkerConfig,
    private readonly observer: ProcessObserver,
    private readonly log: Logger,
    /** Where the worker process starts: not a worktree, which may be removed while it runs. */
    private readonly home: string,
  ) {}

  get pids(): readonly number[] {
    const pid = this.current?.process.pid;
    return pid === undefined || this.current?.process.hasExited ? [] : [pid];
  }

  private current: Connection | undefined;

  async run(assignment: Assignment): Promise<AttemptResult> {
    let connection: Connection;
    try {
      connection = await this.connect();
    } catch (error) {
      return failure('crashed', `Worker "${this.config.id}" could not start: ${(error as Error).message}`);
    }
    this.listeners.add(assignment);
    const timedOut = AbortSignal.timeout(assignment.timeoutMs);
    const signal = AbortSignal.any([assignment.signal, timedOut]);
    let lastMessage = '';
    try {
      const result = (await connection.client.callTool({ name: this.config.tool.name, arguments: this.toolArguments(assignment) }, undefined, {
        signal,
        timeout: assignment.timeoutMs,
        resetTimeoutOnProgress: true,
        maxTotalTimeout: assignment.timeoutMs,
        onprogress: (progress) => {
          // Keep-alive progress repeats its message; only a new message is a new activity.
          if (!progress.message || progress.message === 'done' || progress.message === lastMessage) return;
          lastMessage = progress.message;
          assignment.onActivity(activityFromText(progress.message, 'mcp'));
        },
      })) as CallToolResult;
      const replyText = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
      const reply = parseWorkerReply(replyText);
      if (reply.status === 'BLOCKED') return { outcome: 'blocked', replyText, reply, error: reply.reason ?? 'The worker asked for a larger scope.' };
      if (result.isError || reply.status === 'FAILED') {
        return { outcome: 'failed', replyText, reply, error: reply.failureReport ?? (replyText.slice(0, 500) || 'The worker reported an error.') };
      }
      return { outcome: 'completed', replyText, reply };
    } catch (error) {
      if (assignment.signal.aborted) return failure('cancelled', 'The run was cancelled.');
      if (timedOut.aborted || /timed out/i.test((error as Error).message)) {
        // A worker that overran may still be writing: it is started afresh, once no other
        // objective is using the same process.
        this.restartWhenIdle = true;
        return failure('timeout', `Worker "${this.config.id}" did not finish within ${Math.round(assignment.timeoutMs / 1000)} s.`);
      }
      if (connection.process.hasExited) {
        const exit = await connection.process.exited;
        return failure('crashed', `Worker "${this.config.id}" exited (${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}) during the objective.`);
      }
      return failure('failed', `Calling worker "${this.config.id}" failed: ${(error as Error).message}`);
    } finally {
      this.listeners.delete(assignment);
      if (this.restartWhenIdle && this.listeners.size === 0) {
        this.restartWhenIdle = false;
        await this.restart();
      }
    }
  }

  async start(): Promise<void> {
    await this.connect().catch((error: unknown) => this.log.debug(`worker ${this.config.id} did not start ahead of time`, error));
  }

  private toolArguments(assignment: Assignment): Record<string, unknown> {
    const values: Record<string, string> = {
      prompt: assignment.prompt,
      cwd: assignment.cwd,
      objectiveId: assignment.objectiveId,
      title: assignment.title,
      model: this.config.model ?? '',
    };
    const fill = (value: unknown): unknown => {
      if (value === '{edits}') return assignment.edits;
      if (typeof value === 'string') return value.replace(/\{(prompt|cwd|objectiveId|title|model)\}/g, (_match, name: string) => values[name]!);
      if (Array.isArray(value)) return value.map(fill);
      if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, fill(inner)]));
      return value;
    };
    return fill(this.config.tool.arguments) as Record<string, unknown>;
  }

  private connect(): Promise<Connection> {
    if (this.stopped) return Promise.reject(new Error(`worker "${this.config.id}" has been stopped`));
    if (this.connection && !(this.current?.process.hasExited ?? false)) return this.connection;
    this.connection = this.spawn().then(
      (connection) => {
        this.current = connection;
        return connection;
      },
      (error: unknown) => {
        this.connection = undefined;
        throw error;
      },
    );
    return this.connection;
  }

  private async spawn(): Promise<Connection> {
    const process = await ManagedProcess.start({
      command: this.config.command,
      args: this.config.args,
      cwd: this.home,
      env: workerEnvironment(this.config),
      onStderr: (text) => this.log.debug(`worker ${this.config.id} stderr: ${text.trimEnd()}`),
    });
    this.processes.add(process);
    void process.exited.then(() => this.processes.delete(process));
    const pid = process.pid;
    if (pid !== undefined) {
      this.observer.started(this.config.id, pid, this.config.command);
      void process.exited.then(() => this.observer.exited(this.config.id, pid));
    }
    const client = new Client({ name: 'ap-orchestrator', version: serverVersion }, { capabilities: {}, jsonSchemaValidator: schemaValidator() });
    client.onerror = (error) => this.log.debug(`worker ${this.config.id}: ${error.message}`);
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      const data = notification.params.data;
      const text = typeof data === 'string' ? data : JSON.stringify(data);
      for (const assignment of this.listeners) assignment.onActivity(activityFromText(text, 'mcp'));
    });
    // Vendor notifications (e.g. `codex/event`) have no schema in the SDK: they arrive here.
    client.fallbackNotificationHandler = async (notification) => {
      for (const assignment of this.listeners) assignment.onActivity(activity('message', `${notification.method}: ${JSON.stringify(notification.params ?? {}).slice(0, 300)}`));
    };
    const spawnFailed = new Promise<never>((_resolve, reject) => {
      process.child.once('error', (error) => reject(new Error(`${this.config.command}: ${error.message}`)));
    });
    try {
      await Promise.race([client.connect(new ChildProcessTransport(process), { timeout: 30_000 }), spawnFailed]);
      if (this.stopped) throw new Error(`worker "${this.config.id}" was stopped while it started`);
    } catch (error) {
      await process.stop({ graceMs: 0, termMs: 1_000 });
      throw error;
    }
    return { process, client };
  }

  private async restart(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    this.connection = undefined;
    if (current) await current.process.stop({ graceMs: 0, termMs: 2_000 });
  }

  private stopped = false;

  async stop(options: { graceMs?: number; termMs?: number } = {}): Promise<void> {
    this.stopped = true;
    const current = this.current;
    this.current = undefined;
    this.connection = undefined;
    await current?.client.close().catch(() => {});
    // Whatever is still running, the connected process or one still booting, is stopped.
    await Promise.all([...this.processes].map((process) => process.stop(options)));
  }
}

let sharedAjv: AjvJsonSchemaValidator | undefined;

/**
 * One validator for all workers' clients, built when a client first checks a tool's output
 * against its schema: each client would otherwise build its own Ajv, and building one (with its
 * meta-schemas) takes tens of milliseconds at a run's start, for tools that may declare none.
 */
const sharedValidator: jsonSchemaValidator = {
  getValidator: (schema) => (sharedAjv ??= new AjvJsonSchemaValidator()).getValidator(schema),
};

function schemaValidator(): jsonSchemaValidator {
  return sharedValidator;
}

function failure(outcome: AttemptResult['outcome'], error: string): AttemptResult {
  return { outcome, replyText: '', reply: parseWorkerReply(''), error };
}
