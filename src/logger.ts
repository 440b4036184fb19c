/**
 * Logs go to stderr: stdout belongs to the MCP protocol. Level from AP_LOG_LEVEL
 * (error, warn, info, debug; default info).
 */
const levels = { error: 0, warn: 1, info: 2, debug: 3 } as const;
export type LogLevel = keyof typeof levels;

export interface Logger {
  error(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
  info(message: string, detail?: unknown): void;
  debug(message: string, detail?: unknown): void;
}

export function createLogger(scope: string, level: LogLevel = parseLevel(process.env.AP_LOG_LEVEL)): Logger {
  const write = (at: LogLevel, message: string, detail?: unknown) => {
    if (levels[at] > levels[level]) return;
    const suffix = detail === undefined ? '' : ` ${detail instanceof Error ? (detail.stack ?? detail.message) : JSON.stringify(detail)}`;
    process.stderr.write(`[ap-orchestrator] ${new Date().toISOString()} ${at.toUpperCase()} ${scope}: ${message}${suffix}\n`);
  };
  return {
    error: (message, detail) => write('error', message, detail),
    warn: (message, detail) => write('warn', message, detail),
    info: (message, detail) => write('info', message, detail),
    debug: (message, detail) => write('debug', message, detail),
  };
}

function parseLevel(value: string | undefined): LogLevel {
  return value && value in levels ? (value as LogLevel) : 'info';
}
