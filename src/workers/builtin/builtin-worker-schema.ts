import { z } from 'zod';
import { scriptedEditSchema } from '../../core/plan/objective-schema.js';

/**
 * The built-in worker's tool arguments as a schema: the JSON Schema it lists is made from this
 * (at build time for the bundled worker), and tests hold `readRunObjectiveInput` to it.
 */
export const runObjectiveInput = z.object({
  prompt: z.string().describe('The AP worker prompt (read for the title; the work itself is scripted).'),
  cwd: z.string().describe('Absolute path of the worktree to work in.'),
  objectiveId: z.string().optional().describe('Objective id, for the log.'),
  title: z.string().optional().describe('Objective title, used in the commit message.'),
  edits: z.array(scriptedEditSchema).default([]).describe('The scripted steps to carry out, in order.'),
});

export function runObjectiveJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(runObjectiveInput, { io: 'input' }) as Record<string, unknown>;
}
