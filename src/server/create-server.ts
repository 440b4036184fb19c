import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type ServerNotification } from '@modelcontextprotocol/sdk/types.js';
import { createLogger, type Logger } from '../logger.js';
import { RunManager } from '../run/run-manager.js';
import type { Workspace } from '../store/workspace.js';
import { allTools } from '../tools/index.js';
import type { HostAbilities, Tool } from '../tools/tool.js';
import { callTool } from './call-tool.js';
import { listingOf } from './tool-listing.js';
import { serverVersion } from './version.js';

export interface ServerOptions {
  workspace: Workspace;
  tools?: readonly Tool[];
  log?: Logger;
  runs?: RunManager;
  /** Returned by `execute` so the host can show where to watch. */
  dashboardUrl?: () => string | undefined;
}

/**
 * Builds the MCP server. Returns it with `cleanup`, which releases everything it owns;
 * no state lives in module globals, so tests can make as many as they like.
 */
export function createServer(options: ServerOptions): { server: Server; runs: RunManager; cleanup: () => Promise<void> } {
  const tools = options.tools ?? allTools;
  const log = options.log ?? createLogger('server');
  const server = new Server(
    { name: 'ap-orchestrator', title: 'AP Orchestrator', version: serverVersion },
    {
      capabilities: { tools: { listChanged: false }, logging: {} },
      instructions:
        'Analytic Programming: call `analyze` with a repo and a request, then `plan` with objectives whose scopeTouch lists the paths each may change, then `approve`. Objectives in one wave never share paths.',
    },
  );
  const byName = new Map(tools.map((tool) => [tool.schema.name, tool]));
  const runs = options.runs ?? new RunManager(options.workspace, createLogger('run'));

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: tools.map(listingOf) }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = byName.get(request.params.name);
    if (!tool) {
      return {
        content: [{ type: 'text', text: `Unknown tool "${request.params.name}". Available tools: ${[...byName.keys()].join(', ')}.` }],
        isError: true,
      };
    }
    const progressToken = extra._meta?.progressToken;
    const host: HostAbilities = {
      progress: async (progress, total, message) => {
        if (progressToken === undefined) return;
        const notification: ServerNotification = { method: 'notifications/progress', params: { progressToken, progress, total, message } };
        await extra.sendNotification(notification).catch((error: unknown) => log.debug('progress notification failed', error));
      },
    };
    const capabilities = server.getClientCapabilities();
    if (capabilities?.sampling) {
      host.sample = async (prompt, sampleOptions) => {
        const result = await server.createMessage(
          { messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: sampleOptions.maxTokens, systemPrompt: sampleOptions.systemPrompt },
          { signal: extra.signal, timeout: 120_000 },
        );
        if (result.content.type !== 'text') throw new Error(`the host answered with ${result.content.type} content instead of text`);
        return result.content.text;
      };
    }
    if (capabilities?.elicitation) {
      host.confirm = async (message) => {
        const result = await server.elicitInput(
          { message, requestedSchema: { type: 'object', properties: { approve: { type: 'boolean', title: 'Approve', description: message } }, required: ['approve'] } },
          { signal: extra.signal },
        );
        return result.action === 'accept' && result.content?.approve === true;
      };
    }
    const { result } = await callTool(tool, request.params.arguments, { workspace: options.workspace, runs, host, signal: extra.signal, log, dashboardUrl: options.dashboardUrl?.() });
    return result;
  });

  let cleaned = false;
  return {
    server,
    runs,
    cleanup: async () => {
      if (cleaned) return;
      cleaned = true;
      // Runs stop first (left `interrupted`, resumable), then the databases they write to close.
      await runs.shutdown().catch((error: unknown) => log.error('stopping runs failed', error));
      options.workspace.close();
      await server.close().catch((error: unknown) => log.debug('closing the MCP server failed', error));
    },
  };
}
