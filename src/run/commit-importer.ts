import { git } from './git-command.js';
import type { TreeChange } from './repo-git.js';
import { fastImportPath } from './worktree-status.js';

/** A commit to write: `changes` on top of `base`, onto `branch`. */
export interface ImportedCommit {
  branch: string;
  base: string;
  message: string;
  changes: readonly TreeChange[];
  /** Contents of changed paths that are not in the object store yet, by path. */
  contents: ReadonlyMap<string, Buffer>;
}

const committer = 'ap-orchestrator <ap-orchestrator@localhost>';

interface Waiting {
  commit: ImportedCommit;
  /** Commit time, in seconds. */
  time: number;
  resolve: (head: string) => void;
  reject: (error: unknown) => void;
}

/**
 * Writes commits with `git fast-import`, several to one process: the commits asked for while
 * imports run go together into the next. A wave's objectives end at about the same time, and on
 * a small machine starting a process costs more than what git then does. Two imports may run at
 * once; they write separate packs and different branches.
 */
export class CommitImporter {
  private readonly waiting: Waiting[] = [];
  /** Imports at once: two, so a batch that starts with the first commit of a wave does not hold up the rest. */
  private running = 0;

  constructor(private readonly repo: string) {}

  /** Writes the commit and moves its branch there; resolves to the new commit's id. */
  write(commit: ImportedCommit): Promise<string> {
    // Stamped once: written again on its own after a failed batch, it is the same commit, which
    // fast-import may have put on the branch already.
    const time = Math.floor(Date.now() / 1000);
    return new Promise((resolve, reject) => {
      this.waiting.push({ commit, time, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running >= 2) return;
    this.running += 1;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0);
        try {
          const heads = await this.importCommits(batch);
          batch.forEach((entry, index) => entry.resolve(heads[index]!));
        } catch (error) {
          if (batch.length === 1) {
            batch[0]!.reject(error);
            continue;
          }
          // One commit git refuses must not fail the others: each goes again on its own.
          for (const entry of batch) await this.importCommits([entry]).then(([head]) => entry.resolve(head!), entry.reject);
        }
      }
    } finally {
      this.running -= 1;
    }
  }

  private async importCommits(entries: readonly Waiting[]): Promise<string[]> {
    const stream: Buffer[] = [];
    const text = (value: string) => stream.push(Buffer.from(value));
    const data = (bytes: Buffer) => {
      text(`data ${bytes.length}\n`);
      stream.push(bytes, Buffer.from('\n'));
    };
    text('feature done\n');
    entries.forEach(({ commit, time }, index) => {
      text(`commit refs/heads/${commit.branch}\nmark :${index + 1}\ncommitter ${committer} ${time} +0000\n`);
      data(Buffer.from(commit.message));
      text(`from ${commit.base}\n`);
      for (const change of commit.changes) {
        const path = fastImportPath(change.path);
        const content = commit.contents.get(change.path);
        if (change.status === 'D') text(`D ${path}\n`);
        else if (content) {
          text(`M ${change.mode} inline ${path}\n`);
          data(content);
        } else text(`M ${change.mode} ${change.sha} ${path}\n`);
      }
    });
    entries.forEach((_entry, index) => text(`get-mark :${index + 1}\n`));
    text('done\n');
    const heads = (await git(this.repo, ['fast-import', '--quiet', '--cat-blob-fd=1'], { input: Buffer.concat(stream) })).trim().split('\n');
    if (heads.length !== entries.length || !heads.every((head) => /^[0-9a-f]{40,64}$/.test(head))) {
      throw new Error(`git fast-import answered "${heads.join(' ').slice(0, 200)}" instead of ${entries.length} commit id(s)`);
    }
    return heads;
  }
}
