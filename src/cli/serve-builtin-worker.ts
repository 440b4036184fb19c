import { resolve } from 'node:path';
import { createBuiltinWorker } from '../workers/builtin/builtin-worker-server.js';

/** Serves the built-in worker on stdio (newline-delimited JSON-RPC) until stdin closes or a signal arrives. */
export function serveBuiltinWorker(logPath: string | undefined): void {
  const worker = createBuiltinWorker({
    logPath: logPath === undefined ? undefined : resolve(logPath),
    // Writes to a pipe are synchronous on Linux: nothing is lost when the process then exits.
    send: (message) => process.stdout.write(`${JSON.stringify(message)}\n`),
    onCrash: (exitCode) => process.exit(exitCode),
  });
  let pending = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    pending += chunk;
    for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n')) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      worker.receive(line);
    }
  });
  process.stdout.on('error', () => process.exit(0));
  // Input ended: what was asked is answered first (a piped `tools/list`), within two seconds.
  process.stdin.on('end', () => {
    setTimeout(() => process.exit(0), 2_000).unref();
    void worker.close().then(() => process.exit(0));
  });
  const stop = () => process.exit(0);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
