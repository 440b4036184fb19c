import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
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
  private readonly buffer = new ReadBuffer();
  private closed = false;

  constructor(private readonly process: ManagedProcess) {}

  async start(): Promise<void> {
    const { child } = this.process;
    child.stdout.on('data', (chunk: Buffer) => {
      try {
        this.buffer.append(chunk);
      } catch (error) {
        this.onerror?.(new Error(`worker output overflowed the read buffer: ${(error as Error).message}`));
        return;
      }
      for (;;) {
        let message: JSONRPCMessage | null;
        try {
          message = this.buffer.readMessage();
        } catch (error) {
          this.onerror?.(new Error(`worker wrote a line that is not JSON-RPC: ${(error as Error).message}`));
          continue;
        }
        if (message === null) break;
        this.onmessage?.(message);
      }
    });
    void this.process.exited.then(() => this.markClosed());
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
    this.closed = true;
    this.buffer.clear();
    this.onclose?.();
  }
}
