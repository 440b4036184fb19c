import type { z } from 'zod';
import type { InputProblem } from '../core/errors/input-error.js';

/**
 * Turns schema validation issues into problems a model can act on: which objective (by id when
 * it has one), which field, what is wrong and how to fix it.
 */
export function problemsFromZod(error: z.ZodError, input: unknown): InputProblem[] {
  return error.issues.map((issue) => {
    const path = issue.path;
    let objective: string | undefined;
    let fieldPath = path;
    if (path[0] === 'objectives' && typeof path[1] === 'number') {
      const objectives = (input as { objectives?: unknown[] } | undefined)?.objectives;
      const candidate = Array.isArray(objectives) ? (objectives[path[1]] as { id?: unknown } | undefined) : undefined;
      objective = typeof candidate?.id === 'string' && candidate.id ? candidate.id : `objectives[${path[1]}]`;
      fieldPath = path.slice(2);
    }
    const field = formatPath(fieldPath) || undefined;
    return { objective, field, message: messageFor(issue), fix: fixFor(issue, field) };
  });
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`)).join('');
}

function messageFor(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `Unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}.`;
  return `${issue.message}.`;
}

const camelCaseHints: Record<string, string> = {
  scope_touch: 'scopeTouch',
  scope_read: 'scopeRead',
  scope_forbid: 'scopeForbid',
  depends_on: 'dependsOn',
  integration_points: 'integrationPoints',
};

function fixFor(issue: z.core.$ZodIssue, field: string | undefined): string {
  const name = field ?? 'the argument';
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `Add ${name}; it is required (${issue.expected}).` : `Give ${name} as ${article(issue.expected)}.`;
    case 'unrecognized_keys': {
      const hints = issue.keys.filter((key) => key in camelCaseHints).map((key) => `"${key}" -> "${camelCaseHints[key]}"`);
      return hints.length > 0 ? `Rename ${hints.join(', ')}.` : 'Remove the field or check its spelling against the tool input schema.';
    }
    case 'invalid_union':
      return `Check ${name} against the tool input schema (for edits, "op" is one of write, append, replace, delete, delay, fail, crash, block).`;
    case 'invalid_value':
      return `Use one of: ${issue.values.map((value) => JSON.stringify(value)).join(', ')}.`;
    case 'too_small':
      return `Make ${name} at least ${issue.minimum} ${issue.origin === 'string' ? 'characters long' : issue.origin === 'array' ? 'items long' : ''}`.trim() + '.';
    case 'too_big':
      return `Make ${name} at most ${issue.maximum}.`;
    default:
      return `Correct ${name} (see the tool input schema).`;
  }
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
