import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { resolve } from 'node:path';
import { createBuiltinWorkerServer } from '../workers/builtin/builtin-worker-server.js';

/** Serves the built-in worker on stdio until stdin closes or a signal arrives. */
export async function serveBuiltinWorker(logPath: string | undefined): Promise<void> {
  const server = createBuiltinWorkerServer({
    logPath: logPath === undefined ? undefined : resolve(logPath),
    onCrash: (exitCode) => process.exit(exitCode),
  });
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
