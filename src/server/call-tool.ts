import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ApError } from '../core/errors/ap-error.js';
import { InputError } from '../core/errors/input-error.js';
import { problemsFromZod } from '../tools/input-problems.js';
import type { Tool, ToolContext } from '../tools/tool.js';
import { ToolResponse } from '../tools/tool-response.js';

/**
 * Runs one tool call: validates input at the boundary, runs the handler, and maps failures.
 * Errors the orchestrator raises on purpose carry their message; anything else is an internal
 * error, logged with its stack. Nothing thrown here can take the server down.
 */
export async function callTool(tool: Tool, rawArguments: unknown, context: ToolContext): Promise<{ result: CallToolResult; structured?: Record<string, unknown> }> {
  const response = new ToolResponse<Record<string, unknown>>();
  const parsed = tool.schema.inputSchema.safeParse(rawArguments ?? {}, { reportInput: true });
  if (!parsed.success) {
    response.setError(`Invalid arguments for \`${tool.schema.name}\`: ${new InputError(problemsFromZod(parsed.error, rawArguments)).message}`);
    return { result: response.serialize() };
  }
  try {
    await tool.handle(parsed.data, response, context);
  } catch (error) {
    if (error instanceof ApError) {
      response.setError(error.message);
    } else {
      context.log.error(`tool ${tool.schema.name} failed`, error);
      response.setError(
        `Internal error in \`${tool.schema.name}\`: ${error instanceof Error ? error.message : String(error)}. This is a bug in ap-orchestrator; the server keeps running, and the details are in its stderr log.`,
      );
    }
  }
  return { result: response.serialize(), structured: response.isError ? undefined : response.structured };
}
