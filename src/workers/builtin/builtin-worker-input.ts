import type { ScriptedEdit } from '../../core/plan/objective-schema.js';

/** The arguments of the built-in worker's one tool. */
export interface RunObjectiveInput {
  prompt: string;
  cwd: string;
  objectiveId?: string;
  title?: string;
  edits: ScriptedEdit[];
}

type Check = (value: unknown) => string | undefined;

const text: Check = (value) => (typeof value === 'string' ? undefined : 'expected a string');
const optionalText: Check = (value) => (value === undefined ? undefined : text(value));
const integer =
  (min: number, max: number): Check =>
  (value) =>
    Number.isInteger(value) && (value as number) >= min && (value as number) <= max ? undefined : `expected a whole number from ${min} to ${max}`;
const optionalInteger: Check = (value) => (value === undefined || Number.isInteger(value) ? undefined : 'expected a whole number');
const paths: Check = (value) => (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string') ? undefined : 'expected a list of at least one path');

/** The fields of each step, as `scriptedEditSchema` (core/plan/objective-schema.ts) has them. */
const steps: Record<ScriptedEdit['op'], Record<string, Check>> = {
  write: { path: text, content: text },
  append: { path: text, content: text },
  replace: { path: text, search: text, replace: text },
  delete: { path: text },
  delay: { ms: integer(0, 3_600_000) },
  fail: { message: text },
  crash: { exitCode: optionalInteger },
  block: { requestedScope: paths, reason: text },
};

/**
 * Reads the tool's arguments. The built-in worker checks them by hand: zod alone would take it
 * 50 ms of CPU to load, and a run starts twenty workers at once. `scriptedEditSchema` stays the
 * one definition of a step: a test holds the two to the same answers, and the schema the worker
 * lists is made from it at build time.
 */
export function readRunObjectiveInput(value: unknown): { input: RunObjectiveInput } | { error: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'the arguments must be an object' };
  const fields = value as Record<string, unknown>;
  for (const [name, check] of [['prompt', text], ['cwd', text], ['objectiveId', optionalText], ['title', optionalText]] as const) {
    const problem = check(fields[name]);
    if (problem) return { error: `${name}: ${problem}` };
  }
  const edits = fields.edits ?? [];
  if (!Array.isArray(edits)) return { error: 'edits: expected a list of steps' };
  const read: ScriptedEdit[] = [];
  for (const [index, edit] of edits.entries()) {
    if (typeof edit !== 'object' || edit === null) return { error: `edits[${index}]: expected a step object` };
    const step = edit as Record<string, unknown>;
    const shape = typeof step.op === 'string' ? steps[step.op as ScriptedEdit['op']] : undefined;
    if (!shape) return { error: `edits[${index}].op: expected one of ${Object.keys(steps).join(', ')}` };
    for (const [name, check] of Object.entries(shape)) {
      const problem = check(step[name]);
      if (problem) return { error: `edits[${index}].${name}: ${problem}` };
    }
    read.push(Object.fromEntries([['op', step.op], ...Object.keys(shape).filter((name) => step[name] !== undefined).map((name) => [name, step[name]])]) as ScriptedEdit);
  }
  return { input: { prompt: fields.prompt as string, cwd: fields.cwd as string, objectiveId: fields.objectiveId as string | undefined, title: fields.title as string | undefined, edits: read } };
}
