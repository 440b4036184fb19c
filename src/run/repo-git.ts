import { existsSync, lstatSync, mkdirSync, readlinkSync, realpathSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createLogger } from '../logger.js';
import { commandRunner } from './command-runner.js';
import { CommitImporter } from './commit-importer.js';
import { git, GitError, gitSteps } from './git-command.js';
import { readRegularFile } from './lane-move.js';
import { applyChanges, objectId, ObjectWriter, parseTreeListing, TreeConflict, type Tree, type TreeItem } from './git-objects.js';
import { fastImportPath, parseWorktreeStatus, worktreeStatusArgs } from './worktree-status.js';

/**
 * A worktree of the run's. Git is pointed at its git folder explicitly: a worker that deletes or
 * rewrites the `.git` file in it must not make our commands land in the user's own checkout.
 */
export interface Worktree {
  path: string;
  gitDir: string;
}

function worktreeEnvironment(worktree: Worktree): Record<string, string> {
  return { GIT_DIR: worktree.gitDir, GIT_WORK_TREE: worktree.path };
}

/** One changed path between two commits, as `git diff-tree -r` reports it. */
export interface TreeChange {
  path: string;
  status: 'A' | 'M' | 'D' | 'T';
  mode: string;
  sha: string;
}

/** A worker's work, committed: the commit, its changes from the base, and what is left to clean. */
export interface WorktreeCommit {
  head: string;
  changes: TreeChange[];
  /** Untracked and ignored paths the commit did not need: the next user of the worktree removes them. */
  leftovers: string[];
  /** The contents of changed paths, read here (not those git hashed). */
  contents: ReadonlyMap<string, Buffer>;
  /**
   * Set when the worktree's files are exactly the commit's except the `extra` paths (ignored and
   * uncommitted ones), and its index still the base's (the worker staged nothing): then it can be
   * moved on without git (`WorktreeLanes`).
   */
  settled?: { extra: string[] };
}

interface ContentRules {
  format: string;
  plain: boolean;
  fileMode: boolean;
  /** Whether git checks files out as the bytes stored: `plain`, real links, a case-sensitive tree. */
  checksOutAsIs: boolean;
  /** Writes loose objects, where git would write them the same way. */
  objects?: ObjectWriter;
}

/** Up to this, a changed file is read synchronously. */
const syncReadLimitBytes = 1024 * 1024;

/** Above this, a changed file's content is hashed by git instead of being read here. */
const inlineLimitBytes = 16 * 1024 * 1024;

const emptyTree = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

const log = createLogger('git');

/** What `RepoGit.facts` knows of a repository. */
interface RepositoryFacts {
  format: string;
  common: string;
  objectsFolder: string | undefined;
  /** A setting's value as `git config` prints it; undefined when unset. */
  setting: (name: string) => string | undefined;
}

/** The settings `RepoGit.facts` reads, as `git config --get-regexp` patterns. */
const settingNames = [
  'core\\.(autocrlf|attributesfile|filemode|symlinks|ignorecase|sharedrepository|fsync|fsyncobjectfiles)',
  'extensions\\.(compatobjectformat|refstorage|worktreeconfig)',
  'worktree\\.userelativepaths',
];

const isFalse = (value: string | undefined) => value !== undefined && /^(false|no|off|0)$/i.test(value);
const isTrue = (value: string | undefined) => value !== undefined && !isFalse(value);

/** Trees of commits kept in memory: a wave's base and merge, and one more for a wave rolled back. */
const treesKept = 4;
/** A base tree listing larger than this is not held in memory: git merges on it. */
const treeListingLimit = 32 * 1024 * 1024;

/** The git operations the run engine needs, on one repository. */
export class RepoGit {
  private readonly importer: CommitImporter;

  constructor(readonly root: string) {
    this.importer = new CommitImporter(root);
  }

  static async isRepository(folder: string): Promise<boolean> {
    try {
      const inside = await git(folder, ['rev-parse', '--is-inside-work-tree']);
      return inside.trim() === 'true';
    } catch {
      return false;
    }
  }

  async headCommit(): Promise<string | null> {
    try {
      return (await git(this.root, ['rev-parse', '--verify', '-q', 'HEAD^{commit}'])).trim() || null;
    } catch {
      return null;
    }
  }

  async currentBranch(): Promise<string | null> {
    try {
      return (await git(this.root, ['symbolic-ref', '--short', '-q', 'HEAD'])).trim() || null;
    } catch {
      return null;
    }
  }

  /** A commit with an empty tree: the base for a repository that has no commits yet. */
  async emptyCommit(): Promise<string> {
    return (await git(this.root, ['commit-tree', emptyTree, '-m', 'ap: empty base'])).trim();
  }

  /**
   * Moves `branch` to `commit`, in one transaction with the objective branches not written yet
   * and `alsoCreate` (branches the next objectives will be put on, made now so that readying
   * their worktrees waits for no git).
   */
  async setRef(branch: string, commit: string, alsoCreate: ReadonlyMap<string, string> = new Map()): Promise<void> {
    // Moved only from where this process left it: a branch moved by someone else fails loudly.
    const expected = new Map([[branch, this.written.get(branch)]]);
    const pending = this.takePendingBranches();
    try {
      await this.updateBranches(new Map([...pending, ...alsoCreate, [branch, commit]]), pending, expected);
    } catch (error) {
      if (alsoCreate.size === 0) throw error;
      // One of the next branches cannot be made (a lock left by a killed git, say): not the
      // integration branch's problem. Readying that objective's worktree tries it again.
      const again = this.takePendingBranches();
      await this.updateBranches(new Map([...again, [branch, commit]]), again, expected);
    }
  }

  /** The commit a branch points at: the one this process last wrote there, else git's answer. */
  async refCommit(branch: string): Promise<string | null> {
    const written = this.written.get(branch);
    if (written) return written;
    try {
      return (await git(this.root, ['rev-parse', '--verify', '-q', `refs/heads/${branch}`])).trim() || null;
    } catch {
      return null;
    }
  }

  /**
   * Makes worktrees at `paths`, detached at `commit` and not yet checked out (`switchWorktree`
   * does that); a folder left by an interrupted run is unregistered and removed first. Once
   * `worktreeLayout` is known and nothing was left, the worktrees are registered before this
   * returns its promise.
   */
  async createWorktrees(paths: readonly string[], commit: string): Promise<Worktree[]> {
    // Usually there is nothing left: then the registration is asked for before this returns, and
    // runs while the caller goes on (starting workers, say).
    const leftovers = paths.filter((path) => existsSync(path));
    if (leftovers.length > 0) {
      await Promise.all(
        leftovers.map(async (path) => {
          await git(this.root, ['worktree', 'remove', '--force', '--force', path]).catch(() => undefined);
          await rm(path, { recursive: true, force: true });
        }),
      );
    }
    if (this.worktreesFolder === undefined) await this.worktreeLayout();
    const made: Worktree[] = [];
    const left: string[] = [];
    for (const path of paths) {
      const worktree = this.worktreesFolder ? this.registerHere(path, commit, this.worktreesFolder) : undefined;
      if (worktree) made.push(worktree);
      else left.push(path);
    }
    if (left.length === 0) return made;
    return [...made, ...(await this.registerWithGit(left, commit))];
  }

  /**
   * The folder that holds the repository's worktree registrations, when this process may
   * register worktrees in it as `git worktree add --no-checkout --detach` does: refs in files,
   * no per-worktree configuration to copy, absolute links. Null when git must do it.
   */
  private worktreesFolder: string | null | undefined;

  /** Finds out, once, whether worktrees are registered here (`worktreesFolder`). */
  worktreeLayout(): Promise<void> {
    this.layoutProbe ??= this.facts().then(
      ({ common, setting }) => {
        const refStorage = setting('extensions.refstorage');
        const ownLayout = (refStorage === undefined || /^files$/i.test(refStorage)) && !isTrue(setting('extensions.worktreeconfig')) && !isTrue(setting('worktree.userelativepaths'));
        this.worktreesFolder = ownLayout ? join(realpathSync(common), 'worktrees') : null;
      },
      () => {
        this.worktreesFolder = null;
      },
    );
    return this.layoutProbe;
  }

  private layoutProbe: Promise<void> | undefined;

  /**
   * Registers a worktree the way `git worktree add --no-checkout --detach` does (its git folder
   * under the common folder's `worktrees`, locked while it is made; the two links; HEAD detached
   * at `commit`), without starting git: a run's start registers as many worktrees as it has
   * workers, serially, while the workers boot. Undefined (and nothing left) when that fails.
   */
  private registerHere(path: string, commit: string, worktrees: string): Worktree | undefined {
    let folder: string | undefined;
    try {
      mkdirSync(path, { recursive: true });
      mkdirSync(worktrees, { recursive: true });
      const name = basename(path).replace(/[^A-Za-z0-9._-]/g, '-').replace(/^\./, '-') || 'worktree';
      for (let counter = 0; ; counter += 1) {
        const candidate = join(worktrees, counter === 0 ? name : `${name}${counter}`);
        try {
          mkdirSync(candidate);
          folder = candidate;
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
      }
      // As git does: `worktree prune` leaves a locked registration alone while it is being made.
      writeFileSync(join(folder, 'locked'), 'initializing\n');
      writeFileSync(join(folder, 'gitdir'), `${realpathSync(path)}/.git\n`);
      writeFileSync(join(folder, 'commondir'), '../..\n');
      writeFileSync(join(folder, 'HEAD'), `${commit}\n`);
      writeFileSync(join(path, '.git'), `gitdir: ${folder}\n`);
      unlinkSync(join(folder, 'locked'));
      return { path, gitDir: folder };
    } catch (error) {
      log.warn(`registering the worktree ${path} without git failed, git registers it: ${(error as Error).message}`);
      if (folder) rmSync(folder, { recursive: true, force: true });
      rmSync(join(path, '.git'), { force: true });
      return undefined;
    }
  }

  /** `git worktree add`, serialized: it reads the other registrations and fails on one half made. */
  private async registerWithGit(paths: readonly string[], commit: string): Promise<Worktree[]> {
    const steps = paths.map((path) => ['worktree', 'add', '-q', '--no-checkout', '--detach', '-f', path, commit]);
    const registered = this.registration.then(() => gitSteps(this.root, steps));
    this.registration = registered.then(
      () => undefined,
      () => undefined,
    );
    await registered;
    return Promise.all(
      paths.map(async (path) => {
        const link = /^gitdir: (.+)$/m.exec(await readFile(join(path, '.git'), 'utf8'))?.[1];
        if (!link) throw new GitError(['worktree', 'add', path], `${path}/.git does not name the worktree's git folder`, null);
        return { path, gitDir: resolve(path, link.trim()) };
      }),
    );
  }

  private registration: Promise<unknown> = Promise.resolve();

  /** Forgets worktrees whose folders are gone. Not safe while worktrees are being added. */
  async pruneWorktrees(): Promise<void> {
    await git(this.root, ['worktree', 'prune']);
  }

  /**
   * Puts a worktree on `branch`, (re)made at `commit`, with exactly that commit's files: only the
   * files that differ are written. `clean` also removes untracked and ignored files, which a
   * worker that did not finish may have left.
   */
  async switchWorktree(worktree: Worktree, branch: string, commit: string, clean: boolean): Promise<void> {
    // The worktree's HEAD names its last objective's branch, which git reads at its commit.
    await this.flushBranches();
    this.written.delete(branch);
    const steps = [['checkout', '-q', '-f', '--ignore-other-worktrees', '-B', branch, commit]];
    if (clean) steps.push(['clean', '-q', '-ffdx']);
    await gitSteps(worktree.path, steps, { env: worktreeEnvironment(worktree) });
  }

  /**
   * Commits everything in the worktree (new, changed, deleted files), leaves it clean for the next
   * objective, and returns the new head with its changes from `base`: one request, since a wave
   * finishes many objectives at once.
   */
  async commitAll(worktree: Worktree, base: string, message: string): Promise<{ head: string; changes: TreeChange[] }> {
    const output = await gitSteps(
      worktree.path,
      [
        ['add', '-A'],
        ['commit', '-q', '--no-verify', '--allow-empty', '-m', message],
        ['log', '-1', '--no-renames', '--no-abbrev', '--raw', '-z', '--format=%H %P%x00', 'HEAD'],
        ['clean', '-q', '-ffdx'],
      ],
      { env: worktreeEnvironment(worktree) },
    );
    const [header = '', ...rest] = output.split('\0');
    const [head = '', ...parents] = header.trim().split(' ');
    // One commit on top of the base (the usual case): its raw diff is the answer. A worker that
    // committed on its own leaves more history; then diff against the base.
    if (parents.length === 1 && parents[0] === base) return { head, changes: parseRaw(rest.join('\0').replace(/^[\0\n]+/, '')) };
    return { head, changes: await this.changes(base, head) };
  }

  /**
   * Commits what a worker left in a worktree onto `branch` (at `base`) without `git add` and
   * `git commit`: one `git status` finds the changes, and `fast-import` writes the commit
   * together with others that end at the same time, with the contents read here (or, where
   * attributes or CRLF settings could make git store something else than the bytes on disk,
   * hashed by `hash-object`). The worktree's index is left alone: the next `switchWorktree`
   * resets it anyway. Starting a process is most of what a small git command costs on a small
   * machine, and a wave ends many objectives at once.
   * Returns undefined when the worktree holds something only `git add` handles (a commit the
   * worker made itself, a conflict, a nested repository or submodule); `commitAll` does those.
   */
  async commitWorktree(worktree: Worktree, branch: string, base: string, message: string): Promise<WorktreeCommit | undefined> {
    const env = worktreeEnvironment(worktree);
    const state = parseWorktreeStatus(await git(worktree.path, worktreeStatusArgs, { env }));
    if (!state || state.head !== base) return undefined;
    const { format, plain, fileMode } = await this.contentRules(base);
    const leftovers = [...state.untracked, ...state.ignored];
    const extra = [...state.ignored];
    let settled = !state.staged;
    const changes: TreeChange[] = [];
    /** Contents to hand to fast-import, by path; the rest it finds by blob id. */
    const inline = new Map<string, Buffer>();
    const filtered: { path: string; mode: string; status: TreeChange['status']; headMode: string; headSha: string }[] = [];
    // A path removed from the index (`git rm --cached`) and present in the worktree is reported
    // twice, deleted and untracked: it is one path, compared with what HEAD has.
    const untracked = new Set(state.untracked);
    const inHead = new Map(state.tracked.filter((change) => untracked.has(change.path)).map((change) => [change.path, change]));
    const candidates = [
      ...state.tracked.filter((change) => !untracked.has(change.path)).map((change) => ({ ...change, worktreeMode: change.worktreeMode as string | undefined })),
      ...state.untracked.map((path) => ({ path, headMode: inHead.get(path)?.headMode ?? '000000', headSha: inHead.get(path)?.headSha ?? '', worktreeMode: undefined as string | undefined })),
    ];
    const asIs = plain && !candidates.some((change) => basename(change.path) === '.gitattributes');
    for (const { path, headMode, headSha, worktreeMode } of candidates) {
      if (worktreeMode === '000000') {
        if (headMode !== '000000') changes.push({ path, status: 'D', mode: '000000', sha: '0'.repeat(headSha.length) });
        continue;
      }
      // A name git printed but this process cannot open (not UTF-8, say): git add reads it right.
      if (path.includes('\uFFFD')) return undefined;
      const file = join(worktree.path, path);
      // Synchronous: a worker's files are small, and a wave ends twenty commits at once, each
      // waiting its turn in the thread pool otherwise. Large ones are read asynchronously.
      const info = lstatSync(file, { throwIfNoEntry: false });
      if (!info) return undefined;
      if (!info.isFile() && !info.isSymbolicLink()) {
        // A socket or a pipe is not committed: untracked, it is left over; tracked, the tree is not the commit's.
        if (worktreeMode === undefined) extra.push(path);
        else settled = false;
        continue;
      }
      const executable = fileMode && (info.mode & 0o100) !== 0;
      const mode = info.isSymbolicLink() ? '120000' : (worktreeMode ?? (executable ? '100755' : '100644'));
      const status = headMode === '000000' ? 'A' : (headMode === '120000') !== (mode === '120000') ? 'T' : 'M';
      // Large files are streamed by git rather than read into this process.
      if ((!asIs || info.size > inlineLimitBytes) && mode !== '120000') {
        filtered.push({ path, mode, status, headMode, headSha });
        continue;
      }
      const content = mode === '120000' ? readlinkSync(file, { encoding: 'buffer' }) : info.size <= syncReadLimitBytes ? readRegularFile(file) : await readFile(file);
      const sha = objectId(format, 'blob', content);
      // Staged and then changed back: no change after all.
      if (sha === headSha && mode === headMode) continue;
      inline.set(path, content);
      changes.push({ path, status, mode, sha });
    }
    if (filtered.length > 0) {
      const hashed = (await git(worktree.path, ['hash-object', '-w', '--stdin-paths'], { env, input: filtered.map((file) => `${fastImportPath(file.path)}\n`).join('') })).trim().split('\n');
      filtered.forEach((file, index) => {
        const sha = hashed[index]!;
        if (sha !== file.headSha || file.mode !== file.headMode) changes.push({ path: file.path, status: file.status, mode: file.mode, sha });
      });
    }
    const done = { leftovers, contents: inline, settled: settled ? { extra } : undefined };
    if (changes.length === 0) return { head: base, changes, ...done };
    const written = await this.writeCommitHere(base, changes, inline, [base], message);
    if (written) {
      this.pendingBranches.set(branch, written.commit);
      return { head: written.commit, changes, ...done };
    }
    const head = await this.importer.write({ branch, base, message, changes, contents: inline });
    return { head, changes, ...done };
  }

  /**
   * Commits files this process wrote itself (the session docs) onto `branch` at `base` without
   * asking git what changed: their paths and contents are known. Undefined when git has to do it
   * (attributes or line-end settings that could store other bytes, a path that is a link or a
   * folder at the base, a base tree not in memory).
   */
  async commitFiles(branch: string, base: string, files: ReadonlyMap<string, Buffer>, message: string): Promise<{ head: string; changes: TreeChange[] } | undefined> {
    const { format, plain, objects } = await this.contentRules(base);
    const baseTree = objects ? await this.tree(base) : undefined;
    if (!plain || !baseTree || [...files.keys()].some((path) => basename(path) === '.gitattributes')) return undefined;
    const changes: TreeChange[] = [];
    for (const [path, content] of files) {
      const sha = objectId(format, 'blob', content);
      const current = treeItem(baseTree, path);
      if (current && current.mode !== '100644' && current.mode !== '100755') return undefined;
      if (current?.sha === sha) continue;
      changes.push({ path, status: current ? 'M' : 'A', mode: current?.mode ?? '100644', sha });
    }
    if (changes.length === 0) return { head: base, changes };
    const written = await this.writeCommitHere(base, changes, files, [base], message);
    if (!written) return undefined;
    this.pendingBranches.set(branch, written.commit);
    return { head: written.commit, changes };
  }

  /**
   * Whether a worktree can be moved by writing the stored bytes of its files as they are: no
   * attributes or line-end conversion, real symbolic links, a case-sensitive tree. Returns the
   * object format then.
   */
  async checksOutAsIs(base: string): Promise<string | undefined> {
    const rules = await this.contentRules(base);
    return rules.checksOutAsIs ? rules.format : undefined;
  }

  private readonly branchQueue: { branch: string; commit: string; resolve: () => void; reject: (error: unknown) => void }[] = [];

  /**
   * Creates (or moves) a branch without a reflog. Branches asked for in the same turn are made
   * in one `update-ref` transaction: a wave boundary makes one per objective.
   */
  createBranch(branch: string, commit: string): Promise<void> {
    const made = this.written.get(branch) === commit && !this.pendingBranches.has(branch);
    // The branch is for a worktree about to be lent: its worker may move it.
    this.written.delete(branch);
    // Made already, by the transaction that moved the integration branch.
    if (made) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.branchQueue.push({ branch, commit, resolve, reject });
      if (this.branchQueue.length > 1) return;
      setImmediate(() => {
        const batch = this.branchQueue.splice(0);
        const pending = this.takePendingBranches();
        const branches = new Map(pending);
        for (const entry of batch) branches.set(entry.branch, entry.commit);
        this.updateBranches(branches, pending).then(
          () =>
            batch.forEach((entry) => {
              this.written.delete(entry.branch);
              entry.resolve();
            }),
          (error: unknown) => batch.forEach((entry) => entry.reject(error)),
        );
      });
    });
  }

  /**
   * Objective branches whose commits this process wrote: they are written with the next ref
   * transaction (the integration branch's move, the next wave's branches, `flushBranches`)
   * instead of one `update-ref` per objective. The commit ids are in the run's records already.
   */
  private pendingBranches = new Map<string, string>();

  /**
   * Branches this process's ref transactions wrote, with their commits: the run owns its
   * branches, so what it wrote last is what they hold, and asking git again is not needed.
   */
  private readonly written = new Map<string, string>();

  private takePendingBranches(): Map<string, string> {
    const pending = this.pendingBranches;
    this.pendingBranches = new Map();
    return pending;
  }

  /** Writes the objective branches not written yet, and waits for those being written. */
  async flushBranches(): Promise<void> {
    const writes = [...this.branchWrites];
    if (this.pendingBranches.size > 0) writes.push(this.updateBranches(this.takePendingBranches()));
    await Promise.all(writes);
  }

  private readonly branchWrites = new Set<Promise<void>>();

  /**
   * Creates or moves branches, without reflogs, in one transaction. When it fails, the objective
   * branches it carried are pending again (the next transaction tries them) and the caller gets
   * git's error.
   */
  private async updateBranches(branches: ReadonlyMap<string, string>, pending: ReadonlyMap<string, string> = branches, expected: ReadonlyMap<string, string | undefined> = new Map()): Promise<void> {
    const write = this.refTransaction([...branches].map(([name, target]) => updateCommand(name, target, expected.get(name))));
    this.branchWrites.add(write);
    try {
      await write;
      for (const [name, target] of branches) this.written.set(name, target);
    } catch (error) {
      for (const [name, target] of pending) if (!this.pendingBranches.has(name)) this.pendingBranches.set(name, target);
      log.warn(`writing ${branches.size} branch(es) failed; the objective branches among them are written with the next ref update: ${(error as Error).message}`);
      throw error;
    } finally {
      this.branchWrites.delete(write);
    }
  }

  /** One `update-ref --stdin -z` transaction of `commands`, without reflogs. */
  private async refTransaction(commands: readonly string[]): Promise<void> {
    if (commands.length > 0) await git(this.root, ['-c', 'core.logAllRefUpdates=false', 'update-ref', '--no-deref', '-z', '--stdin'], { input: commands.join('') });
  }

  private readonly trees = new Map<string, Promise<Tree | undefined>>();

  /**
   * The tree of `commit` in memory, for commits and merges written here: listed by git once
   * (a run's first base), or kept from the merge that made it. Undefined when it is left to git.
   */
  private tree(commit: string): Promise<Tree | undefined> {
    let tree = this.trees.get(commit);
    if (!tree) {
      tree = (async () => {
        const output = await gitSteps(this.root, [['rev-parse', `${commit}^{tree}`], ['ls-tree', '-r', '-t', '-z', '--full-tree', commit]]);
        if (output.length > treeListingLimit) return undefined;
        const newline = output.indexOf('\n');
        // Only a tree git named is used: an answer cut short must not read as an empty tree.
        const root = output.slice(0, newline).trim();
        return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(root) ? parseTreeListing(root, output.slice(newline + 1)) : undefined;
      })().catch(() => undefined);
      this.keepTree(commit, tree);
    }
    return tree;
  }

  private keepTree(commit: string, tree: Promise<Tree | undefined>): void {
    this.trees.delete(commit);
    this.trees.set(commit, tree);
    for (const old of this.trees.keys()) {
      if (this.trees.size <= treesKept) break;
      this.trees.delete(old);
    }
  }

  /** The tree of `commit` if it is in memory (a merge written here, a base listed): no git is asked. */
  async treeOf(commit: string): Promise<Tree | undefined> {
    return this.trees.get(commit);
  }

  /** Lists a wave base's tree ahead of the commits that need it, while the wave runs. */
  preloadTree(commit: string): void {
    void this.contentRules(commit).then((rules) => (rules.objects ? this.tree(commit) : undefined));
  }

  /**
   * Writes a commit of `changes` on `base` as loose objects: blobs whose contents are given
   * (the others are in the store), the trees that changed, and the commit. Undefined when git
   * has to do it (a tree git lists oddly, a file and a folder at one path).
   */
  private async writeCommitHere(base: string, changes: readonly TreeChange[], contents: ReadonlyMap<string, Buffer>, parents: readonly string[], message: string): Promise<{ commit: string; tree: Tree } | undefined> {
    const { objects } = await this.contentRules(base);
    const baseTree = objects ? await this.tree(base) : undefined;
    if (!objects || !baseTree) return undefined;
    try {
      for (const change of changes) {
        const content = contents.get(change.path);
        if (change.status !== 'D' && content) objects.write('blob', content);
      }
      const tree = applyChanges(baseTree, changes);
      const commit = objects.writeCommit(objects.writeTree(tree), parents, message, Math.floor(Date.now() / 1000));
      return { commit, tree };
    } catch (error) {
      if (!(error instanceof TreeConflict)) log.warn(`writing a commit without git failed, git writes it: ${(error as Error).message}`);
      return undefined;
    }
  }

  private rules: Promise<ContentRules> | undefined;

  private repositoryFacts: Promise<RepositoryFacts> | undefined;

  /**
   * What the engine needs to know of the repository, asked once: the object format, the common
   * git folder and the objects folder, and the settings that decide what it may do without git.
   */
  private facts(): Promise<RepositoryFacts> {
    this.repositoryFacts ??= (async () => {
      const [located, config] = await Promise.all([
        git(this.root, ['rev-parse', '--show-object-format', '--git-common-dir', '--git-path', 'objects']).catch(() => ''),
        git(this.root, ['config', '--get-regexp', `^(${settingNames.join('|')})$`]).catch(() => ''),
      ]);
      const [format, common, objects] = located.split('\n').map((line) => line.trim());
      const settings = new Map<string, string>();
      for (const line of config.split('\n')) {
        const match = /^(\S+)(?: (.*))?$/.exec(line.trim());
        // The last one set wins, as in git (system, global, then the repository's); a key
        // without a value is a boolean true.
        if (match) settings.set(match[1]!.toLowerCase(), match[2]?.trim() ?? 'true');
      }
      return {
        format: format || 'sha1',
        common: resolve(this.root, common || (await git(this.root, ['rev-parse', '--git-common-dir'])).trim()),
        objectsFolder: objects ? resolve(this.root, objects) : undefined,
        setting: (name: string) => settings.get(name),
      };
    })();
    return this.repositoryFacts;
  }

  /**
   * The object format; whether git stores a file's bytes as they are (no attributes file
   * anywhere, since they can name filters, line-end conversion or encodings, and no
   * `core.autocrlf`); and whether it records the executable bit (`core.fileMode`). Asked once
   * per run; a wave that adds a `.gitattributes` turns `plain` off (`noteAttributes`).
   */
  private contentRules(base: string): Promise<ContentRules> {
    this.rules ??= (async () => {
      const { format, common, objectsFolder, setting } = await this.facts();
      const fileMode = !isFalse(setting('core.filemode'));
      const linksAndCase = !isFalse(setting('core.symlinks')) && (setting('core.ignorecase') === undefined || isFalse(setting('core.ignorecase')));
      // Loose objects as git writes them, unless git would do more: set group permissions on them
      // (a shared repository), or record their ids in a second object format.
      const shared = setting('core.sharedrepository');
      const notShared = shared === undefined || isFalse(shared) || /^umask$/i.test(shared);
      // Flushed to disk where the user asked git to flush loose objects.
      const sync = isTrue(setting('core.fsyncobjectfiles')) || /(^|,)\s*(all|committed|objects|loose-object)\s*(,|$)/i.test(setting('core.fsync') ?? '');
      const objects = objectsFolder && notShared && setting('extensions.compatobjectformat') === undefined ? new ObjectWriter(objectsFolder, format, sync) : undefined;
      const impure = { format, plain: false, fileMode, checksOutAsIs: false, objects };
      const autocrlf = setting('core.autocrlf');
      if ((autocrlf !== undefined && !isFalse(autocrlf)) || setting('core.attributesfile') !== undefined) return impure;
      const userAttributes = join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'git', 'attributes');
      if (existsSync(join(common, 'info', 'attributes')) || existsSync(userAttributes)) return impure;
      // The base's tree, which the commits written here need anyway, answers it when it is listed.
      const tree = objects ? await this.tree(base) : undefined;
      const plain = tree
        ? !namedAnywhere(tree, '.gitattributes')
        : !(await git(this.root, ['ls-tree', '-r', '-z', '--name-only', base])).split('\0').some((name) => basename(name) === '.gitattributes');
      return { format, plain, fileMode, checksOutAsIs: plain && linksAndCase, objects };
    })();
    return this.rules;
  }

  /** A merged wave added or changed a `.gitattributes`: from now on git hashes what is committed. */
  noteAttributes(changes: readonly TreeChange[]): void {
    if (!changes.some((change) => basename(change.path) === '.gitattributes')) return;
    const rules = this.rules;
    if (rules) this.rules = rules.then((known) => ({ ...known, plain: false, checksOutAsIs: false }));
  }

  /** Files changed from `base` to `head`, renames split into delete and add. */
  async changes(base: string, head: string): Promise<TreeChange[]> {
    if (base === head) return [];
    return parseRaw(await git(this.root, ['diff-tree', '-r', '-z', '--no-renames', '--no-commit-id', base, head]));
  }

  /**
   * Merges a wave in one commit: the base tree plus every objective's changes, with the base and
   * each objective branch as parents. Disjoint scopes mean no path is changed twice; if one is,
   * that is reported instead of guessing.
   */
  async mergeWave(base: string, branches: { branch: string; head: string; changes: TreeChange[] }[], message: string): Promise<string> {
    const owner = new Map<string, string>();
    for (const branch of branches) {
      for (const change of branch.changes) {
        const other = owner.get(change.path);
        if (other) throw new GitError(['merge'], `both ${other} and ${branch.branch} changed ${change.path}`, null);
        owner.set(change.path, branch.branch);
      }
    }
    // Objectives that changed nothing add no parent: the history shows only work that landed.
    const parents = [base, ...branches.filter((branch) => branch.changes.length > 0).map((branch) => branch.head)];
    const changes = branches.flatMap((branch) => branch.changes);
    // Every blob is in the store already: the objectives' commits hold them.
    const written = await this.writeCommitHere(base, changes, new Map(), parents, message);
    if (written) {
      this.keepTree(written.commit, Promise.resolve(written.tree));
      return written.commit;
    }
    const folder = await mkdtemp(join(tmpdir(), 'ap-index-'));
    const env = { GIT_INDEX_FILE: join(folder, 'index') };
    try {
      await git(this.root, ['read-tree', base], { env });
      const lines = branches.flatMap((branch) =>
        branch.changes.map((change) => (change.status === 'D' ? `0 ${'0'.repeat(40)}\t${change.path}` : `${change.mode} ${change.sha}\t${change.path}`)),
      );
      if (lines.length > 0) await git(this.root, ['update-index', '-z', '--index-info'], { env, input: lines.map((line) => `${line}\0`).join('') });
      const tree = (await git(this.root, ['write-tree'], { env })).trim();
      return (await git(this.root, ['commit-tree', tree, ...parents.flatMap((parent) => ['-p', parent]), '-m', message])).trim();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }

  /**
   * Deletes the branches that exist of `branches`, with their reflogs, and writes the objective
   * branches still pending but those: one transaction.
   */
  async deleteBranches(branches: readonly string[]): Promise<void> {
    await Promise.all([...this.branchWrites].map((write) => write.catch(() => undefined)));
    const pending = this.takePendingBranches();
    for (const branch of branches) pending.delete(branch);
    try {
      // Those this process wrote exist; git is asked only about the others.
      const known = [...new Set(branches)].filter((branch) => this.written.has(branch));
      const unknown = branches.filter((branch) => !this.written.has(branch)).map((branch) => `refs/heads/${branch}`);
      const existing = unknown.length === 0 ? [] : (await git(this.root, ['for-each-ref', '--format=%(refname)', ...unknown])).split('\n').filter(Boolean);
      const refs = [...known.map((branch) => `refs/heads/${branch}`), ...existing];
      await this.refTransaction([...[...pending].map(([name, target]) => updateCommand(name, target)), ...refs.map((ref) => `delete ${ref}\0\0`)]);
      for (const branch of known) this.written.delete(branch);
      for (const [name, target] of pending) this.written.set(name, target);
    } catch (error) {
      for (const [name, target] of pending) if (!this.pendingBranches.has(name)) this.pendingBranches.set(name, target);
      throw error;
    }
  }

  /** Removes folders (worktrees the run no longer needs) with one `rm -rf`, several times faster than Node's recursive rm on a tree of checkouts. */
  async removeFolders(folders: readonly string[]): Promise<void> {
    if (folders.length === 0) return;
    const removed = await commandRunner.run('rm', ['-rf', '--', ...folders], { cwd: this.root });
    if (removed.code !== 0) await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  }

  /** Removes a folder of worktrees in one go and lets git forget them. */
  async removeWorktrees(folder: string): Promise<void> {
    await this.removeFolders([folder]);
    await git(this.root, ['worktree', 'prune']);
  }
}

/** An `update-ref --stdin -z` command moving a branch to `target`, from `expected` when given. */
function updateCommand(branch: string, target: string, expected = ''): string {
  return `update refs/heads/${branch}\0${target}\0${expected}\0`;
}

/** Whether a file or folder called `name` is anywhere in a tree in memory. */
function namedAnywhere(tree: Tree, name: string): boolean {
  return [...tree.entries].some(([entry, item]) => entry === name || (item.tree !== undefined && namedAnywhere(item.tree, name)));
}

/** The entry at `path` of a tree in memory (a folder's when it is one), if any. */
function treeItem(root: Tree, path: string): TreeItem | undefined {
  const names = path.split('/');
  let tree: Tree | undefined = root;
  for (const name of names.slice(0, -1)) tree = tree?.entries.get(name)?.tree;
  return tree?.entries.get(names[names.length - 1]!);
}

/** Parses `--raw -z` output: ":100644 100644 <old> <new> M\0path\0" per change. */
function parseRaw(output: string): TreeChange[] {
  const fields = output.split('\0');
  const changes: TreeChange[] = [];
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const meta = fields[index]!.trim().replace(/^:/, '').split(' ');
    const path = fields[index + 1]!;
    if (meta.length < 5 || !path) continue;
    changes.push({ path, status: meta[4]![0] as TreeChange['status'], mode: meta[1]!, sha: meta[3]! });
  }
  return changes;
}
