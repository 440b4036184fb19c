import type { z } from 'zod';
import { ConfigError } from '../core/errors/config-error.js';

/** The first schema issue as a ConfigError naming the file and the field. */
export function configErrorFromZod(path: string, error: z.ZodError, prefix = '', fix = 'Correct the value; the README lists every team.json field.'): ConfigError {
  const issue = error.issues[0]!;
  const field = `${prefix}${issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('')}`.replace(/^\./, '');
  const message = issue.code === 'unrecognized_keys' ? `Unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}.` : `${issue.message}.`;
  return new ConfigError(path, field || '(top level)', message, fix);
}
