import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderToolReference, replaceToolReference } from '../../../src/server/tool-reference.js';
import { allTools } from '../../../src/tools/index.js';

describe('README tool reference', () => {
  it('matches the tool registry (run `npm run docs` when this fails)', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(replaceToolReference(readme, renderToolReference(allTools))).toBe(readme);
  });

  it('documents every tool and every argument', () => {
    const reference = renderToolReference(allTools);
    for (const tool of allTools) {
      expect(reference).toContain(`### \`${tool.schema.name}\``);
      for (const argument of Object.keys(tool.schema.inputSchema.shape)) expect(reference).toContain(`| \`${argument}\` |`);
    }
  });
});
