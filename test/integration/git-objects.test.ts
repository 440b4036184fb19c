/**
 * Commits and merges written by the orchestrator itself, as loose objects, checked against git:
 * the trees must be the ones `git add -A && git write-tree` makes from the same files, `git fsck
 * --strict` must find nothing wrong, and where git would do more than write the object (a shared
 * repository) git writes it.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyChanges, parseTreeListing, TreeConflict } from '../../src/run/git-objects.js';
import { RepoGit, type TreeChange } from '../../src/run/repo-git.js';
import { WorktreeLanes, type Lane } from '../../src/run/worktree-lanes.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

interface Setup {
  root: string;
  git: (...args: string[]) => string;
  repoGit: RepoGit;
  lanes: WorktreeLanes;
  base: string;
}

function setUp(files: Record<string, string>, init: string[] = []): Setup {
  const root = mkdtempSync(join(tmpdir(), 'ap-objects-'));
  folders.push(root);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@t', ...args], { cwd: root, encoding: 'utf8' });
  git('init', '-q', '-b', 'main', ...init);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  const repoGit = new RepoGit(root);
  return { root, git, repoGit, lanes: new WorktreeLanes(repoGit, join(root, '.ap', 'worktrees', 'run-1')), base: git('rev-parse', 'HEAD').trim() };
}

/** The tree git makes of the lane's files: `git add -A` into a scratch index, then `write-tree`. */
function gitTreeOf(setup: Setup, lane: Lane): string {
  const index = join(setup.root, '.git', 'scratch-index');
  rmSync(index, { force: true });
  const env = { ...process.env, GIT_DIR: lane.gitDir, GIT_WORK_TREE: lane.path, GIT_INDEX_FILE: index };
  execFileSync('git', ['read-tree', 'HEAD'], { cwd: lane.path, env });
  execFileSync('git', ['add', '-A'], { cwd: lane.path, env });
  return execFileSync('git', ['write-tree'], { cwd: lane.path, env, encoding: 'utf8' }).trim();
}

/** Whether the object is a loose file, as this process writes them (git's imports go into packs). */
function isLoose(setup: Setup, id: string): boolean {
  return existsSync(join(setup.root, '.git', 'objects', id.slice(0, 2), id.slice(2)));
}

describe('commits written without git', () => {
  it('writes the tree git would write for new, changed, deleted, executable and linked files, in new and emptied folders', async () => {
    const setup = setUp({ 'a.ts': 'a\n', 'old/only.ts': 'x\n', 'deep/er/keep.ts': 'k\n', 'deep/er/go.ts': 'g\n', 'file-then-folder': 'f\n', 'z.ts': 'z\n' });
    const lane = await setup.lanes.take('ap/run-1--a', setup.base);
    writeFileSync(join(lane.path, 'a.ts'), 'changed\n');
    rmSync(join(lane.path, 'old'), { recursive: true });
    // A folder that held only deleted files, replaced by a file of the same name.
    writeFileSync(join(lane.path, 'old'), 'now a file\n');
    rmSync(join(lane.path, 'deep/er/go.ts'));
    rmSync(join(lane.path, 'file-then-folder'));
    mkdirSync(join(lane.path, 'file-then-folder/inner'), { recursive: true });
    writeFileSync(join(lane.path, 'file-then-folder/inner/x.ts'), 'inside\n');
    mkdirSync(join(lane.path, 'new/nested'), { recursive: true });
    writeFileSync(join(lane.path, 'new/nested/n.ts'), 'n\n');
    writeFileSync(join(lane.path, 'a-b.ts'), 'sorts between a.ts and a/\n');
    writeFileSync(join(lane.path, 'run.sh'), 'echo\n');
    chmodSync(join(lane.path, 'run.sh'), 0o755);
    symlinkSync('a.ts', join(lane.path, 'link'));

    const commit = (await setup.repoGit.commitWorktree(lane, 'ap/run-1--a', setup.base, 'ap(a): work'))!;
    expect(isLoose(setup, commit.head)).toBe(true);
    expect(setup.git('rev-parse', `${commit.head}^{tree}`).trim()).toBe(gitTreeOf(setup, lane));
    expect(setup.git('log', '-1', '--format=%an <%ae>%n%P%n%B', commit.head).trim().split('\n')).toEqual(['ap-orchestrator <ap-orchestrator@localhost>', setup.base, 'ap(a): work']);
    expect(setup.git('fsck', '--strict', '--no-dangling')).toBe('');
  });

  it('merges a wave into the tree git would make, and writes its objective branches with the integration branch', async () => {
    const setup = setUp({ 'one/a.ts': 'a\n', 'two/b.ts': 'b\n', 'three/c.ts': 'c\n' });
    const heads: { branch: string; head: string; changes: TreeChange[] }[] = [];
    for (const [name, edit] of [
      ['one', (path: string) => writeFileSync(join(path, 'one/a.ts'), 'a2\n')],
      ['two', (path: string) => rmSync(join(path, 'two'), { recursive: true })],
      ['three', (path: string) => writeFileSync(join(path, 'three/new.ts'), 'new\n')],
    ] as const) {
      const lane = await setup.lanes.take(`ap/run-1--${name}`, setup.base);
      edit(lane.path);
      const commit = (await setup.repoGit.commitWorktree(lane, `ap/run-1--${name}`, setup.base, name))!;
      heads.push({ branch: `ap/run-1--${name}`, head: commit.head, changes: commit.changes });
      setup.lanes.give(lane);
    }
    const merged = await setup.repoGit.mergeWave(setup.base, heads, 'ap: merge wave 1');
    expect(isLoose(setup, merged)).toBe(true);
    expect(setup.git('ls-tree', '-r', '--name-only', merged).trim().split('\n')).toEqual(['one/a.ts', 'three/c.ts', 'three/new.ts']);
    expect(setup.git('show', `${merged}:one/a.ts`)).toBe('a2\n');
    expect(setup.git('log', '-1', '--format=%P', merged).trim().split(' ')).toEqual([setup.base, ...heads.map((head) => head.head)]);
    // The same merge by git's own octopus merge.
    const check = join(setup.root, '.ap', 'check');
    setup.git('worktree', 'add', '-q', '--detach', check, setup.base);
    execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@t', 'merge', '-q', '--no-edit', ...heads.map((head) => head.head)], { cwd: check });
    expect(setup.git('rev-parse', `${merged}^{tree}`).trim()).toBe(execFileSync('git', ['rev-parse', 'HEAD^{tree}'], { cwd: check, encoding: 'utf8' }).trim());
    setup.git('worktree', 'remove', '--force', check);

    // An objective branch moves to its commit with the next ref transaction: before git moved the
    // worktree on to the next objective (one, two), or with the integration branch (three). Until
    // then it is where its worktree was made, at the base.
    const branches = () => setup.git('for-each-ref', '--format=%(refname:short) %(objectname)', 'refs/heads/ap/').trim().split('\n').sort();
    expect(branches()).toEqual([`${heads[0]!.branch} ${heads[0]!.head}`, `${heads[2]!.branch} ${setup.base}`, `${heads[1]!.branch} ${heads[1]!.head}`]);
    await setup.repoGit.setRef('ap/run-1', merged);
    expect(branches()).toEqual([`ap/run-1 ${merged}`, ...heads.map((head) => `${head.branch} ${head.head}`)].sort());
    // The next wave's commits build on the merge's tree, kept in memory.
    const lane = await setup.lanes.take('ap/run-1--next', merged);
    writeFileSync(join(lane.path, 'one/next.ts'), 'next\n');
    const next = (await setup.repoGit.commitWorktree(lane, 'ap/run-1--next', merged, 'next'))!;
    expect(setup.git('rev-parse', `${next.head}^{tree}`).trim()).toBe(gitTreeOf(setup, lane));
    expect(setup.git('fsck', '--strict', '--no-dangling')).toBe('');
  });

  it('writes a sha256 repository\'s objects with sha256 ids', async () => {
    const setup = setUp({ 'src/a.ts': 'a\n' }, ['--object-format=sha256']);
    const lane = await setup.lanes.take('ap/run-1--a', setup.base);
    writeFileSync(join(lane.path, 'src/b.ts'), 'b\n');
    const commit = (await setup.repoGit.commitWorktree(lane, 'ap/run-1--a', setup.base, 'b'))!;
    expect(commit.head).toMatch(/^[0-9a-f]{64}$/);
    expect(isLoose(setup, commit.head)).toBe(true);
    const merged = await setup.repoGit.mergeWave(setup.base, [{ branch: 'ap/run-1--a', head: commit.head, changes: commit.changes }], 'merge');
    expect(setup.git('rev-parse', `${merged}^{tree}`).trim()).toBe(gitTreeOf(setup, lane));
    expect(setup.git('fsck', '--strict', '--no-dangling')).toBe('');
  });

  it('leaves a shared repository\'s objects to git, which sets their group permissions', async () => {
    const setup = setUp({ 'a.ts': 'a\n' }, ['--shared=group']);
    const lane = await setup.lanes.take('ap/run-1--a', setup.base);
    writeFileSync(join(lane.path, 'b.ts'), 'b\n');
    const commit = (await setup.repoGit.commitWorktree(lane, 'ap/run-1--a', setup.base, 'b'))!;
    // Git made the commit's folder writable by the group; this process would not have.
    expect(statSync(join(setup.root, '.git', 'objects', commit.head.slice(0, 2))).mode & 0o070).toBe(0o070);
    expect(setup.git('rev-parse', 'ap/run-1--a').trim()).toBe(commit.head);
    expect(setup.git('rev-parse', `${commit.head}^{tree}`).trim()).toBe(gitTreeOf(setup, lane));
  });

  it('refuses a file where a folder with files stays, so that git decides', () => {
    const base = parseTreeListing('0'.repeat(40), ['040000 tree 1111111111111111111111111111111111111111\td', '100644 blob 2222222222222222222222222222222222222222\td/x', '100644 blob 3333333333333333333333333333333333333333\td/y'].join('\0'))!;
    expect(() => applyChanges(base, [{ path: 'd', status: 'A', mode: '100644', sha: '4'.repeat(40) }])).toThrow(TreeConflict);
    expect(() => applyChanges(base, [{ path: 'd/x/deeper', status: 'A', mode: '100644', sha: '4'.repeat(40) }])).toThrow(TreeConflict);
    // The base is never changed: the new tree shares what did not change.
    const changed = applyChanges(base, [{ path: 'd/x', status: 'D', mode: '000000', sha: '0'.repeat(40) }]);
    expect([...changed.entries.get('d')!.tree!.entries.keys()]).toEqual(['y']);
    expect([...base.entries.get('d')!.tree!.entries.keys()]).toEqual(['x', 'y']);
  });

  it('takes an empty listing for the empty tree only: an answer cut short is not a tree without files', () => {
    expect(parseTreeListing('1'.repeat(40), '')).toBeUndefined();
    expect(parseTreeListing('4b825dc642cb6eb9a060e54bf8d69288fbee4904', '')?.entries.size).toBe(0);
  });
});
