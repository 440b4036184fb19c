import { describe, expect, it } from 'vitest';
import { listingOf } from '../../../src/server/tool-listing.js';
import { allTools } from '../../../src/tools/index.js';

interface JsonSchema {
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

/** Paths of properties without a description: that text is what the host's model reads. */
function undescribed(schema: JsonSchema | undefined, path: string): string[] {
  if (!schema) return [];
  const found: string[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (!property.description) found.push(`${path}.${name}`);
    found.push(...undescribed(property, `${path}.${name}`));
  }
  found.push(...undescribed(schema.items, `${path}[]`));
  for (const variants of [schema.anyOf, schema.oneOf, schema.allOf]) variants?.forEach((variant, index) => found.push(...undescribed(variant, `${path}|${index}`)));
  return found;
}

describe('tool schemas', () => {
  it.each(allTools.map((tool) => [tool.schema.name, tool] as const))('%s describes every input and output field', (_name, tool) => {
    const listing = listingOf(tool);
    expect(undescribed(listing.inputSchema as JsonSchema, 'input')).toEqual([]);
    expect(undescribed(listing.outputSchema as JsonSchema, 'output')).toEqual([]);
  });
});
