import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import type { RunManager } from '../run/run-manager.js';
import type { Workspace } from '../store/workspace.js';
import type { ToolResponse } from './tool-response.js';

/** What the host can do for a tool beyond answering it; the CLI has none of it. */
export interface HostAbilities {
  /** Ask the host's model (MCP sampling). Undefined when the host does not support it. */
  sample?: (prompt: string, options: { maxTokens: number; systemPrompt?: string }) => Promise<string>;
  /** Ask the user a yes/no question (MCP elicitation). Undefined when unsupported. */
  confirm?: (message: string) => Promise<boolean>;
  /** Report progress; a no-op when the call carried no progress token. */
  progress: (progress: number, total: number | undefined, message: string) => Promise<void>;
}

export interface ToolContext {
  workspace: Workspace;
  runs: RunManager;
  /** URL (with token) of the live dashboard, when one is running. */
  dashboardUrl?: string;
  host: HostAbilities;
  signal: AbortSignal;
  log: Logger;
}

export interface ToolSchema<Input extends z.ZodObject, Output extends z.ZodObject> {
  name: string;
  title: string;
  description: string;
  inputSchema: Input;
  outputSchema: Output;
  annotations: ToolAnnotations;
}

export interface Tool<Input extends z.ZodObject = z.ZodObject, Output extends z.ZodObject = z.ZodObject> {
  schema: ToolSchema<Input, Output>;
  handle(params: z.output<Input>, response: ToolResponse<z.output<Output>>, context: ToolContext): Promise<void>;
}

export function defineTool<Input extends z.ZodObject, Output extends z.ZodObject>(tool: Tool<Input, Output>): Tool<Input, Output> {
  return tool;
}
