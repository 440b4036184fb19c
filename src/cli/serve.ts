import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createLogger } from '../logger.js';
import { createServer } from '../server/create-server.js';
import { startDashboard, type DashboardSettings } from '../events/start-dashboard.js';
import type { Workspace } from '../store/workspace.js';

/**
 * Serves MCP on stdio until the host goes away. Stdin closing, SIGINT and SIGTERM all lead to
 * one orderly shutdown; a hard-exit timer makes sure a stuck resource cannot keep us alive.
 */
export async function serve(workspace: Workspace, dashboard: DashboardSettings): Promise<void> {
  const log = createLogger('serve');
  // The dashboard must not keep the MCP server from working: a failure to start it is only logged.
  const dashboardServer = await startDashboard(workspace, dashboard, log).catch((error: unknown) => {
    log.error('the dashboard did not start', error);
    return undefined;
  });
  const { server, cleanup: cleanupServer } = createServer({ workspace, log, dashboardUrl: () => dashboardServer?.url });
  const cleanup = async () => {
    await cleanupServer();
    await dashboardServer?.close();
  };
  let shuttingDown = false;
  const shutdown = (reason: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info(`shutting down (${reason})`);
    setTimeout(() => {
      log.warn('shutdown took too long; exiting');
      process.exit(1);
    }, 8_000).unref();
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
  if (dashboardServer) log.info(`dashboard: ${dashboardServer.url}`);
}
