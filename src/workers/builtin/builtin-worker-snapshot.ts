/**
 * Entry of the built-in worker's V8 startup snapshot (dist/builtin-worker.blob). The SDK, the
 * server and the compiled message schemas are made once, at build time; each worker process then
 * starts from the snapshot in about 60% of the time, which counts when a run starts twenty of them
 * at once on two cores. Run as `node --snapshot-blob builtin-worker.blob -- [--log FILE]`.
 */
import { CallToolRequestSchema, InitializeRequestSchema, JSONRPCMessageSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { startupSnapshot } from 'node:v8';
import { prepareBuiltinWorker, serveBuiltinWorker } from '../../cli/serve-builtin-worker.js';
import { builtinToolName, runObjectiveInput } from './builtin-worker-server.js';

const prepared = prepareBuiltinWorker();

// zod compiles a schema's parser on its first use: do that here, so the snapshot holds it.
const initialize = { method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'ap-orchestrator', version: '0' } } };
const call = { method: 'tools/call', params: { name: builtinToolName, arguments: { prompt: 'p', cwd: '/', edits: [{ op: 'delay', ms: 1 }] }, _meta: { progressToken: 1 } } };
for (const message of [initialize, { method: 'tools/list', params: {} }, call]) JSONRPCMessageSchema.parse({ jsonrpc: '2.0', id: 1, ...message });
JSONRPCMessageSchema.parse({ jsonrpc: '2.0', method: 'notifications/initialized' });
InitializeRequestSchema.parse(initialize);
ListToolsRequestSchema.parse({ method: 'tools/list', params: {} });
CallToolRequestSchema.parse(call);
runObjectiveInput.parse(call.params.arguments);

startupSnapshot.setDeserializeMainFunction(() => {
  const index = process.argv.indexOf('--log');
  serveBuiltinWorker(index === -1 ? undefined : process.argv[index + 1], prepared).catch((error: unknown) => {
    process.stderr.write(`built-in worker: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
});
