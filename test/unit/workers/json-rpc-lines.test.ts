/**
 * Lines a worker writes on stdout, read as JSON-RPC by shape only: what the transport accepts
 * the SDK's own message schema accepts too, and what it turns away comes with a reason.
 */
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../src/workers/process/child-process-transport.js';

const accepted = [
  { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } },
  { jsonrpc: '2.0', id: 'a', method: 'ping' },
  { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 2 } },
  { jsonrpc: '2.0', id: 7, result: { content: [] } },
  { jsonrpc: '2.0', id: 7, error: { code: -32601, message: 'no such method' } },
];

const refused: [string, string][] = [
  ['garbage', 'not JSON'],
  ['[1,2]', 'not an object'],
  ['{"id":1,"result":{}}', 'no "jsonrpc": "2.0"'],
  ['{"jsonrpc":"2.0","method":5}', 'a method that is not a string'],
  ['{"jsonrpc":"2.0","id":{},"method":"x"}', 'an id that is neither a string nor a number'],
  ['{"jsonrpc":"2.0","method":"x","params":3}', 'params that are not an object'],
  ['{"jsonrpc":"2.0","result":{}}', 'neither a method nor an id'],
  ['{"jsonrpc":"2.0","id":1,"result":3}', 'a result that is not an object'],
  ['{"jsonrpc":"2.0","id":1,"error":{"code":"x"}}', 'an error without a code and a message'],
  ['{"jsonrpc":"2.0","id":1}', 'neither a result nor an error'],
];

describe('reading a worker\'s JSON-RPC lines', () => {
  it('accepts the messages the SDK accepts', () => {
    for (const message of accepted) {
      expect(parseMessage(JSON.stringify(message))).toEqual(message);
      expect(JSONRPCMessageSchema.safeParse(message).success).toBe(true);
    }
  });

  it('refuses the others with the reason, as the SDK refuses them', () => {
    for (const [line, reason] of refused) {
      expect(parseMessage(line)).toBe(reason);
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      expect(JSONRPCMessageSchema.safeParse(value).success).toBe(false);
    }
  });
});
