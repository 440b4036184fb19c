import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createLogger } from '../logger.js';
import { createServer } from '../server/create-server.js';
import type { Workspace } from '../store/workspace.js';

/**
 * Serves MCP on stdio until the host goes away. Stdin closing, SIGINT and SIGTERM all lead to
 * one orderly shutdown; a hard-exit timer makes sure a stuck resource cannot keep us alive.
 */
export async function serve(workspace: Workspace): Promise<void> {
  const log = createLogger('serve');
  const { server, cleanup } = createServer({ workspace, log });
  let shuttingDown = false;
  const shutdown = (reason: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info(`shutting down (${reason})`);
    setTimeout(() => {
      log.warn('shutdown took too long; exiting');
      process.exit(1);
    }, 5_000).unref();
    cleanup().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('shutdown failed', error);
        process.exit(1);
      },
    );
  };
  process.stdin.on('end', () => shutdown('stdin ended'));
  process.stdin.on('close', () => shutdown('stdin closed'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  server.onclose = () => shutdown('transport closed');
  server.onerror = (error) => log.error('protocol error', error);

  await server.connect(new StdioServerTransport());
  log.info(`serving MCP on stdio for ${workspace.defaultRepo}`);
}
