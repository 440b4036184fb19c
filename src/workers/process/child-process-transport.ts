import { serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ManagedProcess } from './managed-process.js';

/**
 * MCP over the stdio of a process we spawned ourselves (the SDK's stdio client transport spawns
 * its own child, without a process group or an allowlisted environment). A line that is not
 * JSON-RPC is reported through `onerror` and skipped; the connection goes on.
 */
export class ChildProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private pending: Buffer | undefined;
  /** Messages read but not yet handed on, in order. */
  private readonly queue: JSONRPCMessage[] = [];
  private draining = false;
  private closed = false;

  constructor(private readonly process: ManagedProcess) {}

  async start(): Promise<void> {
    const { child } = this.process;
    child.stdout.on('data', (chunk: Buffer) => {
      let data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
      for (let end = data.indexOf(10); end !== -1; end = data.indexOf(10)) {
        const line = data.toString('utf8', 0, end).replace(/\r$/, '');
        data = data.subarray(end + 1);
        if (line.trim() === '') continue;
        const message = parseMessage(line);
        if (typeof message === 'string') this.onerror?.(new Error(`worker wrote a line that is not JSON-RPC (${message}): ${line.slice(0, 200)}`));
        else this.queue.push(message);
      }
      this.pending = data.length > 0 ? data : undefined;
      if (!this.draining) this.drain();
    });
    void this.process.exited.then(() => this.markClosed());
  }

  /**
   * Hands the messages on in order. After a notification the rest waits for the next turn of the
   * event loop: the SDK dispatches notifications a microtask later than responses, so a progress
   * notification read together with its call's response would otherwise find the call ended and
   * be dropped.
   */
  private drain(): void {
    this.draining = false;
    while (this.queue.length > 0) {
      const message = this.queue.shift()!;
      this.onmessage?.(message);
      if (!('method' in message) || 'id' in message || this.queue.length === 0) continue;
      this.draining = true;
      setImmediate(() => this.drain());
      return;
    }
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed || this.process.hasExited) throw new Error('the worker process has exited');
    const { stdin } = this.process.child;
    await new Promise<void>((resolve, reject) => {
      stdin.write(serializeMessage(message), (error) => (error ? reject(error) : resolve()));
    });
  }

  async close(): Promise<void> {
    await this.process.stop();
    this.markClosed();
  }

  private markClosed(): void {
    if (this.closed) return;
    // What the process wrote before it exited is handed on first.
    if (this.queue.length > 0) {
      setImmediate(() => this.markClosed());
      return;
    }
    this.closed = true;
    this.pending = undefined;
    this.onclose?.();
  }
}

/**
 * A line as a JSON-RPC message, or why it is not one. Only the shape that routes it is checked
 * here (a request or notification has a method; a response an id and a result or an error):
 * the client checks each result and notification against its own schema when it handles it, so
 * parsing every line with the schema of all messages as well cost a parse twice.
 */
export function parseMessage(line: string): JSONRPCMessage | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const message = value as Record<string, unknown>;
  if (message.jsonrpc !== '2.0') return 'no "jsonrpc": "2.0"';
  const id = message.id;
  const validId = typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
  if ('method' in message) {
    if (typeof message.method !== 'string') return 'a method that is not a string';
    if ('id' in message && !validId) return 'an id that is neither a string nor a number';
    if ('params' in message && (typeof message.params !== 'object' || message.params === null)) return 'params that are not an object';
    return message as unknown as JSONRPCMessage;
  }
  if (!validId) return 'neither a method nor an id';
  if ('result' in message) return typeof message.result === 'object' && message.result !== null ? (message as unknown as JSONRPCMessage) : 'a result that is not an object';
  if ('error' in message) {
    const error = message.error as Record<string, unknown> | null;
    return typeof error === 'object' && error !== null && typeof error.code === 'number' && typeof error.message === 'string' ? (message as unknown as JSONRPCMessage) : 'an error without a code and a message';
  }
  return 'neither a result nor an error';
}
