import type { Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Tool } from '../tools/tool.js';

/** The tools/list entry of a tool: JSON Schemas made from its zod schemas. */
export function listingOf(tool: Tool): McpTool {
  return {
    name: tool.schema.name,
    title: tool.schema.title,
    description: tool.schema.description,
    inputSchema: jsonSchema(tool.schema.inputSchema, 'input') as McpTool['inputSchema'],
    outputSchema: jsonSchema(tool.schema.outputSchema, 'output') as McpTool['outputSchema'],
    annotations: { title: tool.schema.title, ...tool.schema.annotations },
  };
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}
