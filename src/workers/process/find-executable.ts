import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * Where `command` would be run from, the way a shell looks it up: a path (with a slash) as is,
 * relative to `cwd`; a bare name on `PATH`. Undefined when nothing executable is there.
 */
export function findExecutable(command: string, path: string | undefined, cwd: string = process.cwd()): string | undefined {
  if (!command) return undefined;
  if (command.includes('/')) {
    const candidate = isAbsolute(command) ? command : resolve(cwd, command);
    return isExecutableFile(candidate) ? candidate : undefined;
  }
  for (const folder of (path ?? '').split(delimiter)) {
    if (!folder) continue;
    const candidate = join(folder, command);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
