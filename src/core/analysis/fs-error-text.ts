const phrases: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no longer exists',
  ENOTDIR: 'a parent is not a folder',
  ELOOP: 'turned into a symlink while scanning',
  EISDIR: 'is a folder',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'path too long',
};

/** Turns a file-system error into the short phrase a warning uses, e.g. `permission denied (EACCES)`. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code) return `${phrases[code] ?? 'cannot be read'} (${code})`;
  return error instanceof Error ? error.message : String(error);
}
