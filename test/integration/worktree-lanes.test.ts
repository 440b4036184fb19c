/**
 * The run's worktrees and the way a worker's work is committed from them, against real git:
 * what `commitWorktree` commits must be exactly what `git add -A && git commit` would, and a
 * worktree handed to the next objective must hold exactly that objective's base.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CommitImporter } from '../../src/run/commit-importer.js';
import { cacheTreeExtension, entryMode, readIndex, writeIndex } from '../../src/run/git-index.js';
import { parseTreeListing } from '../../src/run/git-objects.js';
import { RepoGit } from '../../src/run/repo-git.js';
import { fastImportPath, parseWorktreeStatus } from '../../src/run/worktree-status.js';
import { WorktreeLanes, type Lane } from '../../src/run/worktree-lanes.js';
import { moveLane } from '../../src/run/lane-move.js';
import type { TreeChange } from '../../src/run/repo-git.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

/** The repository of the latest setUp; every one made is removed after the test. */
let repo: TempRepo | undefined;
const made: TempRepo[] = [];
afterEach(() => {
  for (const each of made.splice(0)) each.remove();
  repo = undefined;
});

async function setUp(files: Record<string, string>): Promise<{ git: RepoGit; lanes: WorktreeLanes; base: string; lane: Lane }> {
  repo = createTempRepo(files);
  made.push(repo);
  const git = new RepoGit(repo.root);
  const base = repo.git('rev-parse', 'HEAD').trim();
  const lanes = new WorktreeLanes(git, join(repo.root, '.ap', 'worktrees', 'run-1'));
  const lane = await lanes.take('ap/run-1--a', base);
  return { git, lanes, base, lane };
}

/** What git itself says a commit changed: `<mode> <sha> <status>\t<path>` per path. */
function gitChanges(base: string, head: string): string[] {
  return repo!
    .git('diff-tree', '-r', '-z', '--no-renames', base, head)
    .split(':')
    .filter(Boolean)
    .map((record) => {
      const [meta = '', path = ''] = record.split('\0');
      const [, mode, , sha, status] = meta.split(' ');
      return `${mode} ${sha} ${status}\t${path}`;
    })
    .sort();
}

describe('committing a worker\'s work', () => {
  it('commits new, changed, deleted, executable, linked and oddly named files exactly as git would', async () => {
    const { git, base, lane } = await setUp({ 'src/a.ts': 'a\n', 'src/gone.ts': 'gone\n', 'tool.sh': 'echo\n', '.gitignore': 'build/\n' });
    writeFileSync(join(lane.path, 'src/a.ts'), 'changed\n');
    writeFileSync(join(lane.path, 'src/new file.ts'), 'with a space\n');
    writeFileSync(join(lane.path, 'src/line\nbreak.ts'), 'newline in the name\n');
    writeFileSync(join(lane.path, 'src/"quoted".ts'), 'quotes\n');
    chmodSync(join(lane.path, 'tool.sh'), 0o755);
    symlinkSync('a.ts', join(lane.path, 'src/link.ts'));
    mkdirSync(join(lane.path, 'build'));
    writeFileSync(join(lane.path, 'build/out.js'), 'ignored\n');
    rmSync(join(lane.path, 'src/gone.ts'));

    const commit = await git.commitWorktree(lane, 'ap/run-1--a', base, 'ap(a): work');
    expect(commit).toBeDefined();
    const ours = commit!.changes.map((change) => `${change.mode === '000000' ? '000000' : change.mode} ${change.sha} ${change.status}\t${change.path}`).sort();
    expect(ours).toEqual(gitChanges(base, commit!.head));
    expect(commit!.changes.map((change) => change.path).sort()).toEqual(['src/"quoted".ts', 'src/a.ts', 'src/gone.ts', 'src/line\nbreak.ts', 'src/link.ts', 'src/new file.ts', 'tool.sh']);
    // The branch is written with the next ref transaction.
    await git.flushBranches();
    expect(repo!.git('rev-parse', 'ap/run-1--a').trim()).toBe(commit!.head);
    expect(repo!.git('log', '-1', '--format=%s%n%P', commit!.head).trim().split('\n')).toEqual(['ap(a): work', base]);
    expect(repo!.git('cat-file', '-p', `${commit!.head}:src/link.ts`)).toBe('a.ts');
    expect(commit!.leftovers).toContain('build/');
  });

  it('finds no change in a file that was staged and then changed back', async () => {
    const { git, base, lane } = await setUp({ 'a.ts': 'a\n' });
    writeFileSync(join(lane.path, 'a.ts'), 'b\n');
    repo!.git('--git-dir', lane.gitDir, '--work-tree', lane.path, 'add', 'a.ts');
    writeFileSync(join(lane.path, 'a.ts'), 'a\n');
    const commit = await git.commitWorktree(lane, 'ap/run-1--a', base, 'nothing');
    expect(commit).toMatchObject({ head: base, changes: [], leftovers: [] });
    // The index no longer matches HEAD: the next move is git's.
    expect(commit!.settled).toBeUndefined();
  });

  it('hands work it cannot read from status alone back to git add: a commit of the worker, a nested repository', async () => {
    const { git, base, lane } = await setUp({ 'a.ts': 'a\n' });
    writeFileSync(join(lane.path, 'a.ts'), 'committed by the worker\n');
    repo!.git('--git-dir', lane.gitDir, '--work-tree', lane.path, 'commit', '-q', '-am', 'the worker commits');
    expect(await git.commitWorktree(lane, 'ap/run-1--a', base, 'x')).toBeUndefined();
    const { changes } = await git.commitAll(lane, base, 'x');
    expect(changes.map((change) => change.path)).toEqual(['a.ts']);

    const second = await setUp({ 'a.ts': 'a\n' });
    mkdirSync(join(second.lane.path, 'vendor/lib'), { recursive: true });
    createTempRepoIn(join(second.lane.path, 'vendor/lib'));
    expect(await second.git.commitWorktree(second.lane, 'ap/run-1--a', second.base, 'x')).toBeUndefined();
  });

  it('reads a path taken out of the index but kept on disk as one path, compared with HEAD', async () => {
    const { git, base, lane } = await setUp({ 'a.ts': 'a\n', 'b.ts': 'b\n' });
    const inLane = (...args: string[]) => repo!.git('--git-dir', lane.gitDir, '--work-tree', lane.path, ...args);
    inLane('rm', '-q', '--cached', 'a.ts');
    inLane('rm', '-q', '--cached', 'b.ts');
    writeFileSync(join(lane.path, 'b.ts'), 'changed\n');
    const commit = await git.commitWorktree(lane, 'ap/run-1--a', base, 'rm --cached');
    expect(commit!.changes.map((change) => `${change.status} ${change.path}`)).toEqual(['M b.ts']);
    // The wave merge takes it without seeing the path twice.
    const merged = await git.mergeWave(base, [{ branch: 'ap/run-1--a', head: commit!.head, changes: commit!.changes }], 'merge');
    expect(repo!.git('show', `${merged}:b.ts`)).toBe('changed\n');
  });

  it('leaves to git add what it cannot read by name, and follows core.fileMode and core.autocrlf as git add would', async () => {
    const { git, base, lane } = await setUp({ 'a.ts': 'a\n' });
    writeFileSync(Buffer.concat([Buffer.from(`${lane.path}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]), 'latin-1 name\n');
    expect(await git.commitWorktree(lane, 'ap/run-1--a', base, 'name')).toBeUndefined();

    const second = await setUp({ 'a.ts': 'a\n' });
    repo!.git('config', 'core.fileMode', 'false');
    repo!.git('config', 'core.autocrlf', 'yes');
    writeFileSync(join(second.lane.path, 'run.sh'), 'echo\r\n');
    chmodSync(join(second.lane.path, 'run.sh'), 0o755);
    // Settings are read once per RepoGit (a run's): a run started after the change.
    const commit = await new RepoGit(repo!.root).commitWorktree(second.lane, 'ap/run-1--a', second.base, 'config');
    expect(commit!.changes.map((change) => `${change.mode} ${change.path}`)).toEqual(['100644 run.sh']);
    expect(repo!.git('cat-file', '-p', `${commit!.head}:run.sh`)).toBe('echo\n');
  });

  it('lets git hash what attributes could change: line ends are normalized as git add would', async () => {
    const { git, base, lane } = await setUp({ '.gitattributes': '*.txt text eol=lf\n', 'a.txt': 'a\n' });
    writeFileSync(join(lane.path, 'b.txt'), 'one\r\ntwo\r\n');
    const commit = await git.commitWorktree(lane, 'ap/run-1--a', base, 'crlf');
    expect(repo!.git('cat-file', '-p', `${commit!.head}:b.txt`)).toBe('one\ntwo\n');
    expect(commit!.changes.map((change) => `${change.sha} ${change.path}`)).toEqual(gitChanges(base, commit!.head).map((line) => line.replace(/^\S+ (\S+) \S+\t/, '$1 ')));
  });

  it('writes the commits of objectives that end together in one import, and one bad commit fails alone', async () => {
    const { base } = await setUp({ 'a.ts': 'a\n' });
    const importer = new CommitImporter(repo!.root);
    const blob = repo!.git('rev-parse', `${base}:a.ts`).trim();
    const good = (name: string) => importer.write({ branch: `ap/run-1--${name}`, base, message: name, changes: [{ path: `${name}.ts`, status: 'A', mode: '100644', sha: blob }], contents: new Map() });
    const bad = importer.write({ branch: 'ap/run-1--bad', base: 'f'.repeat(40), message: 'bad', changes: [], contents: new Map() });
    const results = await Promise.allSettled([good('one'), good('two'), bad, good('three')]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    for (const name of ['one', 'two', 'three']) expect(repo!.git('ls-tree', '--name-only', `ap/run-1--${name}`).trim().split('\n')).toEqual(['a.ts', `${name}.ts`]);
  });
});

describe('lending worktrees', () => {
  it('hands the same folder to the next objective, at its base, with the last one\'s leftovers gone', async () => {
    const { git, lanes, base, lane } = await setUp({ 'a.ts': 'a\n', '.gitignore': 'cache/\n' });
    writeFileSync(join(lane.path, 'a.ts'), 'from a\n');
    writeFileSync(join(lane.path, 'extra.ts'), 'extra\n');
    mkdirSync(join(lane.path, 'cache'));
    writeFileSync(join(lane.path, 'cache/x'), 'x');
    const commit = (await git.commitWorktree(lane, 'ap/run-1--a', base, 'a'))!;
    lane.leftovers = commit.leftovers;
    lanes.give(lane);

    const next = await lanes.take('ap/run-1--b', commit.head);
    expect(next.path).toBe(lane.path);
    const status = parseWorktreeStatus(repo!.git('--git-dir', next.gitDir, '--work-tree', next.path, 'status', '--porcelain=v2', '-z', '--branch', '--untracked-files=all', '--ignored=matching'))!;
    expect(status).toMatchObject({ head: commit.head, tracked: [], untracked: [], ignored: [] });
    expect(readFileSync(join(next.path, 'a.ts'), 'utf8')).toBe('from a\n');
    expect(repo!.git('--git-dir', next.gitDir, 'symbolic-ref', 'HEAD').trim()).toBe('refs/heads/ap/run-1--b');

    // A worker that ended without its work committed leaves unknown leftovers: git clean finds
    // them. It may also have left the index locked, and removed the folder's `.git` link.
    writeFileSync(join(next.path, 'stray.ts'), 'stray\n');
    writeFileSync(join(next.gitDir, 'index.lock'), '');
    rmSync(join(next.path, '.git'));
    next.leftovers = 'unknown';
    await lanes.reset(next, 'ap/run-1--b', base);
    expect(repo!.git('--git-dir', next.gitDir, '--work-tree', next.path, 'status', '--porcelain', '--ignored').trim()).toBe('');
    expect(readFileSync(join(next.path, 'a.ts'), 'utf8')).toBe('a\n');
    // Plain git in the folder finds the worktree again, not the repository above it.
    expect(execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: next.path, encoding: 'utf8' }).trim()).toBe(realpathSync(next.path));

    // A named pipe in the link's place is replaced, not read (a read would wait forever).
    rmSync(join(next.path, '.git'));
    execFileSync('mkfifo', [join(next.path, '.git')]);
    await lanes.reset(next, 'ap/run-1--b', base);
    expect(execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: next.path, encoding: 'utf8' }).trim()).toBe(realpathSync(next.path));
  });

  it('moves a worktree whose objective committed back to the base with git: its files go, its branch holds its commit', async () => {
    const { git, lanes, base, lane } = await setUp({ 'a.ts': 'a\n' });
    writeFileSync(join(lane.path, 'a.ts'), 'changed\n');
    writeFileSync(join(lane.path, 'added.ts'), 'added\n');
    mkdirSync(join(lane.path, 'new'));
    writeFileSync(join(lane.path, 'new/deep.ts'), 'deep\n');
    const commit = (await git.commitWorktree(lane, 'ap/run-1--a', base, 'a'))!;
    lane.leftovers = commit.leftovers;
    lane.settled = { commit: commit.head, base, own: commit.changes, extra: [] };
    lanes.give(lane);

    // Another objective of the same wave, at the same base: git moves the lane.
    const next = await lanes.take('ap/run-1--b', base);
    expect(next.path).toBe(lane.path);
    expect(repo!.git('--git-dir', next.gitDir, '--work-tree', next.path, 'status', '--porcelain', '--ignored', '--untracked-files=all').trim()).toBe('');
    expect(readFileSync(join(next.path, 'a.ts'), 'utf8')).toBe('a\n');
    expect(repo!.git('rev-parse', 'ap/run-1--a').trim()).toBe(commit.head);
  });

  it('makes a wave\'s worktrees in one registration', async () => {
    const { git, base } = await setUp({ 'a.ts': 'a\n' });
    const lanes = new WorktreeLanes(git, join(repo!.root, '.ap', 'worktrees', 'run-2'));
    await lanes.prepare(5, base);
    const taken = await Promise.all([1, 2, 3, 4, 5].map((index) => lanes.take(`ap/run-2--o${index}`, base)));
    expect(new Set(taken.map((lane) => lane.path)).size).toBe(5);
    expect(repo!.git('worktree', 'list', '--porcelain').match(/^worktree .*run-2/gm)).toHaveLength(5);
  });

  it('registers worktrees as git worktree add does: git lists, checks out, prunes them, and names a clash apart', async () => {
    const { git, base } = await setUp({ 'a.ts': 'a\n', 'src/b.ts': 'b\n' });
    // Another run's lane-1 (run-1's, from setUp) holds the name already: as with git, a number is added.
    const [made] = await git.createWorktrees([join(repo!.root, '.ap', 'worktrees', 'run-2', 'lane-1')], base);
    expect(made!.gitDir).toBe(join(realpathSync(join(repo!.root, '.git')), 'worktrees', 'lane-11'));
    const listed = repo!.git('worktree', 'list', '--porcelain').split('\n\n').find((block) => block.includes('run-2'))!;
    expect(listed).toContain(`HEAD ${base}`);
    expect(listed).toContain('detached');
    expect(listed).not.toContain('locked');
    repo!.git('worktree', 'prune');
    await git.switchWorktree(made!, 'ap/run-2--x', base, false);
    expect(execFileSync('git', ['status', '--porcelain', '--ignored'], { cwd: made!.path, encoding: 'utf8' })).toBe('');
    expect(readFileSync(join(made!.path, 'src/b.ts'), 'utf8')).toBe('b\n');
    expect(execFileSync('git', ['rev-parse', '--show-toplevel', '--git-common-dir'], { cwd: made!.path, encoding: 'utf8' }).trim().split('\n')).toEqual([realpathSync(made!.path), realpathSync(join(repo!.root, '.git'))]);
    // Its folder gone, git forgets it.
    rmSync(made!.path, { recursive: true });
    repo!.git('worktree', 'prune');
    expect(repo!.git('worktree', 'list')).not.toContain('run-2');
  });

  it('leaves registration to git where worktrees carry their own configuration', async () => {
    const { base } = await setUp({ 'a.ts': 'a\n' });
    repo!.git('config', 'extensions.worktreeConfig', 'true');
    const fresh = new RepoGit(repo!.root);
    await fresh.worktreeLayout();
    const [made] = await fresh.createWorktrees([join(repo!.root, '.ap', 'worktrees', 'run-3', 'lane-1')], base);
    expect(repo!.git('worktree', 'list', '--porcelain')).toContain(`worktree ${realpathSync(made!.path)}`);
  });
});

/**
 * Two objectives of a wave, each committed in its own lane, merged: what the engine does at a
 * wave boundary. Returns the lanes as the engine leaves them (settled) and the merge.
 */
async function mergedWave(files: Record<string, string>, work: Record<'a' | 'b', (folder: string) => void>, options: { ahead?: boolean; merged?: boolean } = {}) {
  const { git, lanes, base, lane: laneA } = await setUp(files);
  const laneB = await lanes.take('ap/run-1--b', base);
  const done = [];
  for (const [id, lane] of [['a', laneA], ['b', laneB]] as const) {
    work[id](lane.path);
    const commit = (await git.commitWorktree(lane, `ap/run-1--${id}`, base, id))!;
    lane.leftovers = commit.leftovers;
    lane.settled = commit.settled ? { commit: commit.head, base, own: commit.changes, extra: commit.settled.extra } : undefined;
    done.push(commit);
  }
  lanes.give(laneB);
  lanes.give(laneA);
  // As the engine does: the lanes move while the merge is written, or once it is there.
  const merging = git.mergeWave(base, done.map((commit, index) => ({ branch: `ap/run-1--${'ab'[index]}`, head: commit.head, changes: commit.changes })), 'merge');
  const tree = merging.then((commit) => git.treeOf(commit));
  const wave = { base, heads: new Set(done.map((commit) => commit.head)), changes: done.flatMap((commit) => commit.changes), contents: new Map(done.flatMap((commit) => [...commit.contents])), tree };
  if (options.ahead) await lanes.moveAhead(wave);
  const merged = await merging;
  if (options.merged ?? true) lanes.noteMerge({ ...wave, merged });
  return { git, lanes, base, merged, laneA, laneB };
}

/** Git's own view of a lane: clean, on `branch`, with exactly `commit`'s files in its index. */
function expectAt(lane: Lane, branch: string, commit: string): void {
  const inLane = (...args: string[]) => repo!.git('--git-dir', lane.gitDir, '--work-tree', lane.path, ...args);
  expect(inLane('status', '--porcelain', '--untracked-files=all', '--ignored')).toBe('');
  expect(inLane('symbolic-ref', 'HEAD').trim()).toBe(`refs/heads/${branch}`);
  expect(inLane('rev-parse', 'HEAD').trim()).toBe(commit);
  expect(inLane('ls-files', '-s')).toBe(
    repo!
      .git('ls-tree', '-r', commit)
      .replace(/^(\d+) blob ([0-9a-f]+)\t/gm, '$1 $2 0\t'),
  );
  // No stat data left for git to refresh: the index it reads is the one it would have written.
  expect(inLane('diff-files', '--name-only')).toBe('');
}

/**
 * The index's cache tree, which git trusts when it writes trees: the one of a lane moved in
 * this process must name `commit`'s trees, and must still give git's own tree once a file is
 * staged at `stage` (git then recomputes only the folders on its way and trusts the others).
 */
function expectCacheTree(lane: Lane, commit: string, stage: string): void {
  const inLane = (...args: string[]) => repo!.git('--git-dir', lane.gitDir, '--work-tree', lane.path, ...args);
  expect(readFileSync(join(lane.gitDir, 'index')).includes(Buffer.from('TREE\0\0\0'))).toBe(true);
  expect(inLane('write-tree').trim()).toBe(repo!.git('rev-parse', `${commit}^{tree}`).trim());
  mkdirSync(join(lane.path, stage, '..'), { recursive: true });
  writeFileSync(join(lane.path, stage), 'staged\n');
  inLane('add', stage);
  const blob = repo!.git('hash-object', '-w', join(lane.path, stage)).trim();
  const fresh = join(repo!.root, '.git', 'fresh-index');
  const withFresh = (...args: string[]) => execFileSync('git', args, { cwd: repo!.root, env: { ...process.env, GIT_INDEX_FILE: fresh }, encoding: 'utf8' });
  withFresh('read-tree', commit);
  withFresh('update-index', '--add', '--cacheinfo', `100644,${blob},${stage}`);
  expect(inLane('write-tree').trim()).toBe(withFresh('write-tree').trim());
  rmSync(fresh);
}

describe('branches', () => {
  it('moves the integration branch even when a branch made with it is locked, and never over a move it did not make', async () => {
    const { git, base } = await setUp({ 'a.ts': 'a\n' });
    await git.setRef('ap/run-1', base);
    writeFileSync(join(repo!.root, '.git', 'refs', 'heads', 'ap', 'run-1--stuck.lock'), '');
    repo!.write('b.ts', 'b\n');
    repo!.git('add', '-A');
    repo!.git('commit', '-q', '-m', 'next');
    const next = repo!.git('rev-parse', 'HEAD').trim();
    await git.setRef('ap/run-1', next, new Map([['ap/run-1--stuck', next], ['ap/run-1--fine', next]]));
    expect(repo!.git('rev-parse', 'ap/run-1').trim()).toBe(next);
    expect(repo!.git('branch', '--list', 'ap/run-1--stuck')).toBe('');
    // Someone else moves the branch: this process does not write over it.
    repo!.git('branch', '-f', 'ap/run-1', base);
    await expect(git.setRef('ap/run-1', next)).rejects.toThrow(/update-ref/);
    expect(repo!.git('rev-parse', 'ap/run-1').trim()).toBe(base);
  });
});

describe('the cache tree of an index written here', () => {
  it('is byte for byte the one git writes for the same tree, and is left out when the index is not that tree', () => {
    repo = createTempRepo({ 'a.ts': 'a\n', 'zz/deep/er/x.ts': 'x\n', 'zz/y.ts': 'y\n', 'b/c.ts': 'c\n', 'longer-name/d.ts': 'd\n', 'b-c/e.ts': 'e\n' });
    made.push(repo);
    const index = join(repo.root, '.git', 'primed-index');
    execFileSync('git', ['read-tree', 'HEAD'], { cwd: repo.root, env: { ...process.env, GIT_INDEX_FILE: index } });
    const bytes = readFileSync(index);
    const entries = readIndex(bytes, 20)!;
    const end = 12 + entries.reduce((total, entry) => total + ((62 + entry.path.length + 8) & ~7), 0);
    expect(bytes.toString('latin1', end, end + 4)).toBe('TREE');
    const gits = bytes.subarray(end, end + 8 + bytes.readUInt32BE(end + 4));
    const listing = repo.git('ls-tree', '-r', '-t', '-z', '--full-tree', 'HEAD');
    const tree = parseTreeListing(repo.git('rev-parse', 'HEAD^{tree}').trim(), listing)!;
    const byPath = (list: typeof entries) => new Map(list.map((entry) => [entry.path.toString('latin1'), entry]));
    expect(cacheTreeExtension(byPath(entries), tree)).toEqual(gits);
    expect(cacheTreeExtension(byPath(entries.slice(1)), tree)).toBeUndefined();
    const changed = entries.map((entry, position) => (position === 2 ? { ...entry, sha: Buffer.alloc(20, 1) } : entry));
    expect(cacheTreeExtension(byPath(changed), tree)).toBeUndefined();
  });
});

describe('moving a lane to the next wave without git', () => {
  it('moves a lane wave after wave from the index it wrote, and reads the index again once a worker changed it', () => {
    repo = createTempRepo({ 'a/x.ts': 'x\n', 'b/y.ts': 'y\n' });
    made.push(repo);
    const commits = [repo.git('rev-parse', 'HEAD').trim()];
    repo.write('a/x.ts', 'x, changed\n');
    repo.write('c/z.ts', 'z\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'one');
    commits.push(repo.git('rev-parse', 'HEAD').trim());
    rmSync(join(repo.root, 'b/y.ts'));
    repo.write('d/w.ts', 'w\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'two');
    commits.push(repo.git('rev-parse', 'HEAD').trim());
    const path = join(repo.root, '.ap', 'lane');
    repo.git('worktree', 'add', '-q', '--detach', path, commits[0]!);
    const lane = { path, gitDir: repo.git('-C', path, 'rev-parse', '--absolute-git-dir').trim() };
    const inLane = (...args: string[]) => repo!.git('-C', path, ...args);
    const move = (from: string, to: string) => {
      const changes: TreeChange[] = repo!
        .git('diff-tree', '-r', '-z', '--no-renames', from, to)
        .split(':')
        .filter(Boolean)
        .map((record) => {
          const [meta = '', file = ''] = record.split('\0');
          const [, mode = '', , sha = '', status = ''] = meta.split(' ');
          return { path: file, mode, sha, status: status as TreeChange['status'] };
        });
      const contents = new Map(changes.filter((change) => change.status !== 'D').map((change) => [change.path, Buffer.from(repo!.git('cat-file', 'blob', change.sha))]));
      moveLane(lane, { remove: [], write: changes, index: changes, contents, format: 'sha1' });
      writeFileSync(join(lane.gitDir, 'HEAD'), `${to}\n`);
    };
    const lsTree = (commit: string) => repo!.git('ls-tree', '-r', commit).replace(/^(\d+) blob ([0-9a-f]+)\t/gm, '$1 $2 0\t');
    move(commits[0]!, commits[1]!);
    expect(inLane('status', '--porcelain', '--untracked-files=all')).toBe('');
    expect(inLane('ls-files', '-s')).toBe(lsTree(commits[1]!));
    // The second move starts from the index the first one wrote.
    move(commits[1]!, commits[2]!);
    expect(inLane('status', '--porcelain', '--untracked-files=all')).toBe('');
    expect(inLane('ls-files', '-s')).toBe(lsTree(commits[2]!));
    // A worker stages a file: the next move reads the index as it now is, and keeps the entry.
    writeFileSync(join(path, 'staged.ts'), 'staged\n');
    inLane('add', 'staged.ts');
    move(commits[2]!, commits[1]!);
    expect(inLane('ls-files')).toContain('staged.ts');
    expect(inLane('status', '--porcelain', '--untracked-files=all')).toBe('A  staged.ts\n');
  });

  it.each([
    ['once the merge commit exists', false],
    ['while git writes the merge commit', true],
  ])('writes the other objectives\' files and an index git agrees with, %s', async (_when, ahead) => {
    const files = { 'a/one.ts': 'one\n', 'b/two.ts': 'two\n', 'b/gone.ts': 'gone\n', 'c/keep.ts': 'keep\n', '.gitignore': 'build/\n' };
    const { git, lanes, merged, laneA } = await mergedWave(files, {
      a: (folder) => {
        writeFileSync(join(folder, 'a/one.ts'), 'one, changed\n');
        mkdirSync(join(folder, 'build'));
        writeFileSync(join(folder, 'build/out.js'), 'built');
      },
      b: (folder) => {
        mkdirSync(join(folder, 'b/deep/er'), { recursive: true });
        writeFileSync(join(folder, 'b/deep/er/new.sh'), '#!/bin/sh\n');
        chmodSync(join(folder, 'b/deep/er/new.sh'), 0o755);
        symlinkSync('two.ts', join(folder, 'b/link.ts'));
        rmSync(join(folder, 'b/gone.ts'));
        writeFileSync(join(folder, 'b/two.ts'), 'two, changed\n');
      },
    }, { ahead });
    expect(ahead ? laneA.ahead : laneA.settled).toBeDefined();
    const switched = vi.spyOn(git, 'switchWorktree');
    const next = await lanes.take('ap/run-1--next', merged);
    expect(next.path).toBe(laneA.path);
    expect(switched).not.toHaveBeenCalled();
    expectAt(next, 'ap/run-1--next', merged);
    expect(repo!.git('rev-parse', 'ap/run-1--next').trim()).toBe(merged);
    expect(readFileSync(join(next.path, 'b/two.ts'), 'utf8')).toBe('two, changed\n');
    expect(readFileSync(join(next.path, 'a/one.ts'), 'utf8')).toBe('one, changed\n');
    expect(() => readFileSync(join(next.path, 'build/out.js'))).toThrow();
    expect(() => readFileSync(join(next.path, 'b/gone.ts'))).toThrow();
    expectCacheTree(next, merged, 'staged.ts');
  });

  it('sends a lane moved ahead back to the base with git when the wave is rolled back', async () => {
    const { lanes, base, laneA, laneB } = await mergedWave({ 'a/one.ts': 'one\n', 'b/two.ts': 'two\n' }, {
      a: (folder) => writeFileSync(join(folder, 'a/one.ts'), 'one, changed\n'),
      b: (folder) => writeFileSync(join(folder, 'b/new.ts'), 'new\n'),
    }, { ahead: true, merged: false });
    expect([laneA.ahead, laneB.ahead]).toEqual([expect.anything(), expect.anything()]);
    const taken = [await lanes.take('ap/run-1--x', base), await lanes.take('ap/run-1--y', base)];
    for (const [index, lane] of taken.entries()) expectAt(lane, `ap/run-1--${'xy'[index]}`, base);
    expect(readFileSync(join(taken[0]!.path, 'a/one.ts'), 'utf8')).toBe('one\n');
  });

  it('leaves a lane to git when a folder on the way became a link out of it', async () => {
    const outside = createTempRepo({ 'x.txt': 'outside\n' });
    made.push(outside);
    const { lanes, merged, laneA } = await mergedWave({ 'a/one.ts': 'one\n', 'b/two.ts': 'two\n' }, {
      a: (folder) => writeFileSync(join(folder, 'a/one.ts'), 'one, changed\n'),
      b: (folder) => {
        mkdirSync(join(folder, 'b/new'));
        writeFileSync(join(folder, 'b/new/file.ts'), 'new\n');
      },
    });
    // Lane a's worker (outside its scope, unseen by its commit) left b/ as a link to elsewhere.
    rmSync(join(laneA.path, 'b'), { recursive: true });
    symlinkSync(outside.root, join(laneA.path, 'b'));
    const taken = [await lanes.take('ap/run-1--x', merged), await lanes.take('ap/run-1--y', merged)];
    for (const [index, lane] of taken.entries()) expectAt(lane, `ap/run-1--${'xy'[index]}`, merged);
    expect(readFileSync(join(outside.root, 'x.txt'), 'utf8')).toBe('outside\n');
    expect(() => readFileSync(join(outside.root, 'new/file.ts'))).toThrow();
  });

  it('reads the index formats git writes, and refuses what it cannot keep', async () => {
    const { base, lane } = await setUp({ 'a.ts': 'a\n', 'dir/b.ts': 'b\n' });
    const inLane = (...args: string[]) => repo!.git('--git-dir', lane.gitDir, '--work-tree', lane.path, ...args);
    const entries = (version: string) => {
      inLane('update-index', '--index-version', version);
      return readIndex(readFileSync(join(lane.gitDir, 'index')), 20)!.map((entry) => `${entry.path.toString()} ${entry.sha.toString('hex')} ${entryMode(entry)}`);
    };
    const expected = ['a.ts', 'dir/b.ts'].map((path) => `${path} ${repo!.git('rev-parse', `${base}:${path}`).trim()} 100644`);
    for (const version of ['2', '3', '4']) expect(entries(version)).toEqual(expected);
    inLane('update-index', '--index-version', '2');
    // What git writes back from our bytes is the same index.
    const parsed = readIndex(readFileSync(join(lane.gitDir, 'index')), 20)!;
    writeFileSync(join(lane.gitDir, 'index'), writeIndex(parsed, 'sha1'));
    expect(inLane('ls-files', '-s').trim().split('\n')).toHaveLength(2);
    expect(inLane('status', '--porcelain')).toBe('');
    inLane('update-index', '--skip-worktree', 'a.ts');
    expect(readIndex(readFileSync(join(lane.gitDir, 'index')), 20)).toBeUndefined();
  });
});

describe('fast-import paths', () => {
  it('quotes only what fast-import would misread', () => {
    expect(fastImportPath('src/a b.ts')).toBe('src/a b.ts');
    expect(fastImportPath('"a".ts')).toBe('"\\"a\\".ts"');
    expect(fastImportPath('a\nb')).toBe('"a\\nb"');
    expect(fastImportPath('a\\b')).toBe('"a\\\\b"');
  });
});

function createTempRepoIn(folder: string): void {
  execFileSync('git', ['init', '-q', folder]);
  writeFileSync(join(folder, 'x.ts'), 'x\n');
}
