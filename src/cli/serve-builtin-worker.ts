import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { resolve } from 'node:path';
import { createBuiltinWorkerServer, type BuiltinWorkerOptions } from '../workers/builtin/builtin-worker-server.js';

export interface PreparedWorker {
  server: Server;
  /** Read on every step, so the log file can be named after the server was made. */
  options: BuiltinWorkerOptions;
}

/** The worker's server, made but not yet serving (the startup snapshot holds one made at build time). */
export function prepareBuiltinWorker(): PreparedWorker {
  const options: BuiltinWorkerOptions = { onCrash: (exitCode) => process.exit(exitCode) };
  return { server: createBuiltinWorkerServer(options), options };
}

/** Serves the built-in worker on stdio until stdin closes or a signal arrives. */
export async function serveBuiltinWorker(logPath: string | undefined, prepared: PreparedWorker = prepareBuiltinWorker()): Promise<void> {
  const { server, options } = prepared;
  options.logPath = logPath === undefined ? undefined : resolve(logPath);
  const stop = () => {
    setTimeout(() => process.exit(0), 2_000).unref();
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.stdin.on('end', stop);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await server.connect(new StdioServerTransport());
}
