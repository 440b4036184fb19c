/** One tracked path whose content or mode differs from HEAD, as `git status` reports it. */
export interface TrackedChange {
  path: string;
  /** Mode in HEAD ("000000" when HEAD lacks the path) and its blob. */
  headMode: string;
  headSha: string;
  /** Mode in the worktree; "000000" when the worker deleted the file. */
  worktreeMode: string;
}

/** What a worker left in a worktree, read from one `git status --porcelain=v2`. */
export interface WorktreeState {
  /** The commit HEAD points at. */
  head: string;
  tracked: TrackedChange[];
  /** New files, one by one. */
  untracked: string[];
  /** Ignored files and folders (a folder once, with a trailing slash). */
  ignored: string[];
  /** Whether the index differs from HEAD anywhere (the worker staged something). */
  staged: boolean;
}

/**
 * The `git status` arguments whose output `parseWorktreeStatus` reads. Without optional locks, git
 * does not write back the stat data it refreshed: the worktree's next move rewrites the index anyway.
 */
export const worktreeStatusArgs = ['--no-optional-locks', 'status', '--porcelain=v2', '-z', '--branch', '--untracked-files=all', '--ignored=matching', '--no-renames'];

/**
 * Parses `git status --porcelain=v2 -z --branch`. Returns undefined for what only `git add`
 * handles properly: a merge conflict, a submodule change, a nested repository, a rename record.
 */
export function parseWorktreeStatus(output: string): WorktreeState | undefined {
  const state: WorktreeState = { head: '', tracked: [], untracked: [], ignored: [], staged: false };
  for (const record of output.split('\0')) {
    if (record === '') continue;
    if (record.startsWith('# ')) {
      const [key, value = ''] = record.slice(2).split(' ');
      if (key === 'branch.oid') state.head = value;
      continue;
    }
    const kind = record[0];
    if (kind === '?' || kind === '!') {
      const path = record.slice(2);
      if (kind === '?' && path.endsWith('/')) return undefined;
      (kind === '?' ? state.untracked : state.ignored).push(path);
      continue;
    }
    if (kind !== '1') return undefined;
    // 1 <XY> <sub> <mH> <mI> <mW> <hH> <hI> <path>: the path may hold spaces, the fields do not.
    const fields = record.split(' ');
    const [, changed = '', sub = '', headMode = '', , worktreeMode = '', headSha = ''] = fields;
    if (!sub.startsWith('N') || headMode === '160000' || worktreeMode === '160000') return undefined;
    if (changed[0] !== '.') state.staged = true;
    state.tracked.push({ path: fields.slice(8).join(' '), headMode, headSha, worktreeMode });
  }
  return /^[0-9a-f]{40,64}$/.test(state.head) ? state : undefined;
}

/**
 * A path as `git fast-import` reads it: as it is, unless it needs C-style quoting (a quote at
 * its start, a newline, a backslash or another control character).
 */
export function fastImportPath(path: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/^"|[\u0000-\u001f\\\u007f]/.test(path)) return path;
  // eslint-disable-next-line no-control-regex
  const escaped = path.replace(/[\u0000-\u001f"\\\u007f]/g, (character) => {
    if (character === '"' || character === '\\') return `\\${character}`;
    if (character === '\n') return '\\n';
    if (character === '\t') return '\\t';
    return `\\${character.charCodeAt(0).toString(8).padStart(3, '0')}`;
  });
  return `"${escaped}"`;
}
