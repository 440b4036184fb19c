import { startDashboard, type DashboardSettings } from '../events/start-dashboard.js';
import { createLogger } from '../logger.js';
import type { Workspace } from '../store/workspace.js';

/** `ap-orchestrator dashboard`: the dashboard alone, for looking back at a repository's runs. */
export async function serveDashboard(workspace: Workspace, settings: DashboardSettings): Promise<void> {
  const log = createLogger('dashboard');
  workspace.repository(undefined);
  const server = (await startDashboard(workspace, settings, log))!;
  process.stdout.write(`Dashboard: ${server.url}\nPress Ctrl-C to stop.\n`);
  const stop = () => {
    setTimeout(() => process.exit(0), 2_000).unref();
    void server.close().then(() => {
      workspace.close();
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
