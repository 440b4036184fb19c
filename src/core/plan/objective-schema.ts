import { z } from 'zod';

const scopeListSchema = (what: string) =>
  z
    .array(z.string())
    .describe(
      `${what} Each entry is a repo-relative file ("src/auth.ts"), folder ("src/auth/", trailing slash or an existing folder) or glob ("src/**/*.test.ts").`,
    );

export const scriptedEditSchema = z
  .discriminatedUnion('op', [
    z.object({
      op: z.literal('write').describe('Create or overwrite a file.'),
      path: z.string().describe('Repo-relative file to create or overwrite.'),
      content: z.string().describe('Full new content.'),
    }),
    z.object({
      op: z.literal('append').describe('Append to a file.'),
      path: z.string().describe('Repo-relative file to append to (created if missing).'),
      content: z.string().describe('Text to append.'),
    }),
    z.object({
      op: z.literal('replace').describe('Replace the first occurrence of a text.'),
      path: z.string().describe('Repo-relative file to edit.'),
      search: z.string().describe('Exact text to find (first occurrence).'),
      replace: z.string().describe('Replacement text.'),
    }),
    z.object({ op: z.literal('delete').describe('Delete a file.'), path: z.string().describe('Repo-relative file to delete.') }),
    z.object({ op: z.literal('delay').describe('Work for a while.'), ms: z.number().int().min(0).max(3_600_000).describe('Milliseconds to wait.') }),
    z.object({ op: z.literal('fail').describe('End with STATUS=FAILED.'), message: z.string().describe('Failure reason the worker reports.') }),
    z.object({ op: z.literal('crash').describe('Exit the worker process mid-objective.'), exitCode: z.number().int().optional().describe('Exit code of the crash (default 1).') }),
    z.object({
      op: z.literal('block').describe('End with STATUS=BLOCKED and a scope request.'),
      requestedScope: z.array(z.string()).min(1).describe('Paths the worker asks to add to its scopeTouch.'),
      reason: z.string().describe('Why the scope must grow.'),
    }),
  ])
  .describe('One scripted step for the built-in worker.');
export type ScriptedEdit = z.infer<typeof scriptedEditSchema>;

export const complexities = ['low', 'medium', 'high'] as const;

/** An objective as the caller writes it. Defaults are filled in; semantics are checked by the planner. */
export const objectiveInputSchema = z.object({
  id: z.string().describe('Unique id, used in branch and folder names: letters, digits, ".", "_" or "-" (e.g. "auth-login").'),
  title: z.string().min(1).describe('Short title, e.g. "Add JWT login to auth".'),
  description: z.string().default('').describe('What to do, in a few sentences.'),
  scopeTouch: scopeListSchema('Paths this objective may create, change or delete. Must not be empty.'),
  scopeRead: scopeListSchema('Paths the worker should read for context (not enforced).').default([]),
  scopeForbid: scopeListSchema('Paths this objective must not change, on top of the global forbid list.').default([]),
  dependsOn: z.array(z.string()).default([]).describe('Ids of objectives that must finish first; they land in earlier waves.'),
  agent: z
    .string()
    .default('auto')
    .describe('Who should do it: an agent kind ("codex", "claude", "gemini", "cursor", "droid", "builtin"), a worker id from team.json, or "auto".'),
  complexity: z.enum(complexities).default('medium').describe('Rough size of the work.'),
  context: z.string().default('').describe('Background the worker needs.'),
  integrationPoints: z.array(z.string()).default([]).describe('Interfaces this objective provides to or uses from others, e.g. "exports login(user, password) from src/auth/index.ts".'),
  constraints: z.array(z.string()).default([]).describe('Rules the worker must keep.'),
  acceptance: z.array(z.string()).default([]).describe('Checks that tell the objective is done.'),
  deliverables: z.array(z.string()).default([]).describe('What the worker must hand back.'),
  edits: z.array(scriptedEditSchema).default([]).describe('Scripted steps for the built-in worker (ignored by AI agents).'),
});
export type ObjectiveInput = z.input<typeof objectiveInputSchema>;
export type Objective = z.output<typeof objectiveInputSchema>;
