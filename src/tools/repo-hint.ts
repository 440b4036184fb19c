import { z } from 'zod';

/** The optional `repo` argument of tools that take an id: ids are looked up there first. */
export function repoHint(what: string) {
  return z
    .string()
    .optional()
    .describe(`Repository of the ${what}, if it is not the server's default one and the server has not seen it since it started.`);
}
