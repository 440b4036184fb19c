import { createLogger } from '../logger.js';
import { RunManager } from '../run/run-manager.js';
import { callTool } from '../server/call-tool.js';
import type { Workspace } from '../store/workspace.js';
import { allTools } from '../tools/index.js';

/**
 * Runs a tool in-process, exactly as the MCP server would, and prints its result: the text for
 * people, or the structured result as JSON with --json. Exit code 1 when the tool reports an error.
 */
export async function runToolCommand(workspace: Workspace, name: string, args: Record<string, unknown>, json: boolean, runs: RunManager = new RunManager(workspace, createLogger('run'))): Promise<number> {
  const tool = allTools.find((candidate) => candidate.schema.name === name)!;
  const log = createLogger(name);
  const controller = new AbortController();
  const definedArgs = Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined));
  try {
    const { result, structured } = await callTool(tool, definedArgs, {
      workspace,
      runs,
      host: { progress: async (_progress, _total, message) => log.info(message) },
      signal: controller.signal,
      log,
    });
    const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
    if (result.isError) {
      if (json) process.stdout.write(`${JSON.stringify({ error: text })}\n`);
      process.stderr.write(`${text}\n`);
      return 1;
    }
    process.stdout.write(json ? `${JSON.stringify(structured, null, 2)}\n` : `${text}\n`);
    return 0;
  } finally {
    await runs.shutdown();
    workspace.close();
  }
}
