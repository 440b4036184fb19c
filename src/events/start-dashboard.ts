import type { Logger } from '../logger.js';
import type { Workspace } from '../store/workspace.js';
import { startDashboardServer, type DashboardServer } from './dashboard-server.js';
import { workspaceEventSource } from './workspace-event-source.js';

export interface DashboardSettings {
  enabled: boolean;
  host: string;
  port: number;
}

/** AP_DASHBOARD=0 turns it off; AP_DASHBOARD_HOST and AP_DASHBOARD_PORT (0: any free port) move it. */
export function dashboardSettings(environment: NodeJS.ProcessEnv = process.env, flags: { port?: string } = {}): DashboardSettings {
  const portText = flags.port ?? environment.AP_DASHBOARD_PORT;
  const port = portText === undefined ? 8765 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`The dashboard port "${portText}" is not a port number (0-65535; 0 picks a free one).`);
  return { enabled: !/^(0|false|no|off)$/i.test(environment.AP_DASHBOARD ?? ''), host: environment.AP_DASHBOARD_HOST ?? '127.0.0.1', port };
}

/** Starts the dashboard for a workspace; when the port is taken (another server), any free port will do. */
export async function startDashboard(workspace: Workspace, settings: DashboardSettings, log: Logger): Promise<DashboardServer | undefined> {
  if (!settings.enabled) return undefined;
  const source = workspaceEventSource(workspace);
  try {
    return await startDashboardServer({ source, log, host: settings.host, port: settings.port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || settings.port === 0) throw error;
    log.warn(`port ${settings.port} is in use; the dashboard takes a free port instead`);
    return startDashboardServer({ source, log, host: settings.host, port: 0 });
  }
}
