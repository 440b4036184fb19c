/**
 * Follows one log file the way `tail -F` does: appends, partial lines, truncation, rotation
 * (rename, then a new file at the path) and a file that does not exist yet.
 */
import { fstatSync, readSync, watch, type FSWatcher, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

export interface LogTailOptions {
  /** Read what the file already holds; otherwise only what is appended after start. */
  fromStart: boolean;
  onLine: (line: string) => void;
  onError?: (error: Error) => void;
  /** Longer lines are cut and marked; default 1 MiB. */
  maxLineBytes?: number;
  /** The safety re-read; fs.watch can miss events (network file systems, some editors). */
  pollIntervalMs?: number;
}

const defaultMaxLineBytes = 1024 * 1024;
const readBufferBytes = 64 * 1024;

export class LogTail {
  private readonly splitter: LineSplitter;
  private readonly buffer: Buffer;
  private handle: FileHandle | undefined;
  private device = 0;
  private inode = 0;
  private offset = 0;
  /** Files that appear after the first look are new content: always read from their start. */
  private firstLookDone = false;
  private watcher: FSWatcher | undefined;
  private watchedTarget: string | undefined;
  private watchedInode = 0;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private running: Promise<void> | undefined;
  private again = false;
  /** Only a rename, a folder event or the timer can mean rotation; plain appends skip that check. */
  private checkPath = true;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Closed because the file went away: a look still under way must not open a new one. */
  private gone = false;
  private lastErrorMessage: string | undefined;

  constructor(
    readonly path: string,
    private readonly options: LogTailOptions,
  ) {
    const maxLineBytes = options.maxLineBytes ?? defaultMaxLineBytes;
    this.splitter = new LineSplitter(maxLineBytes, (line) => this.emit(line));
    // A line that fits in one read is never longer than the buffer, so the cap holds for it too.
    this.buffer = Buffer.allocUnsafe(Math.max(1, Math.min(readBufferBytes, maxLineBytes)));
  }

  async start(): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    this.schedule(true);
    await this.running;
    if (this.closed) return;
    this.timer = setInterval(() => this.schedule(true), this.options.pollIntervalMs ?? 250);
  }

  /**
   * Stops following. Lines written just before still count: the path gets a last look, unless
   * `gone` says the file went away for good, and a new file at the path is not this tail's.
   */
  close(options: { gone?: boolean } = {}): Promise<void> {
    this.closing ??= this.shutdown(options.gone ?? false);
    return this.closing;
  }

  private async shutdown(gone: boolean): Promise<void> {
    this.closed = true;
    this.gone = gone;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.closeWatcher();
    await this.running;
    if (gone) await this.readToEnd().catch((error: unknown) => this.report(error));
    else {
      this.checkPath = true;
      await this.look().catch((error: unknown) => this.report(error));
    }
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
    this.splitter.flush();
  }

  /** One look at a time; an event during a look asks for another right after it. */
  private schedule(checkPath: boolean): void {
    if (this.closed) return;
    if (checkPath) this.checkPath = true;
    if (this.running) {
      this.again = true;
      return;
    }
    // Started a tick later so `running` is always set before the looks can finish and clear it.
    this.running = Promise.resolve().then(() => this.lookRepeatedly());
  }

  private async lookRepeatedly(): Promise<void> {
    try {
      do {
        this.again = false;
        try {
          await this.look();
          this.lastErrorMessage = undefined;
        } catch (error) {
          this.report(error);
        }
      } while (this.again && !this.closed);
    } finally {
      this.firstLookDone = true;
      this.running = undefined;
    }
  }

  private async look(): Promise<void> {
    if (!this.handle) {
      if (!(await this.openFile())) {
        this.watchTarget(dirname(this.path));
        return;
      }
    } else if (this.checkPath) {
      this.checkPath = false;
      const current = await statOrUndefined(this.path);
      // The safety look at an unchanged file costs this one stat, not a read as well.
      if (current && current.ino === this.inode && current.dev === this.device && current.size === this.offset) return this.watchTarget(this.path);
      if (!current || current.ino !== this.inode || current.dev !== this.device) {
        // Renamed or deleted: the old file may still get its last writes, so drain it first.
        await this.readToEnd();
        if (!current) {
          this.watchTarget(dirname(this.path));
          return;
        }
        this.splitter.flush();
        await this.handle.close();
        this.handle = undefined;
        if (!(await this.openFile())) return;
      }
    }
    await this.readToEnd();
    this.watchTarget(this.path);
  }

  private async openFile(): Promise<boolean> {
    if (this.gone) return false;
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    const info = await handle.stat().catch(async (error: unknown) => {
      await handle.close();
      throw error;
    });
    if (!info.isFile()) {
      await handle.close();
      throw new Error(`${this.path} is not a regular file; a log source must name files.`);
    }
    this.handle = handle;
    this.device = info.dev;
    this.inode = info.ino;
    this.offset = this.firstLookDone || this.options.fromStart ? 0 : info.size;
    return true;
  }

  /**
   * Appends cost one read: a short read means the end was reached, and the next write brings a
   * new event. Only a read that finds nothing asks for the size, to notice truncation. The reads
   * are synchronous: a log is a regular file (`openFile` checks), and a read of what was just
   * appended costs microseconds, where a round trip through the thread pool costs more than it.
   */
  private async readToEnd(): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    let first = true;
    for (;;) {
      const bytesRead = readSync(handle.fd, this.buffer, 0, this.buffer.length, this.offset);
      if (bytesRead === 0 && first) {
        first = false;
        if (fstatSync(handle.fd).size >= this.offset) return;
        // Truncated in place (`> file`, copytruncate): what follows starts over at byte 0.
        this.splitter.flush();
        this.offset = 0;
        continue;
      }
      first = false;
      if (bytesRead === 0) return;
      this.offset += bytesRead;
      this.splitter.push(this.buffer.subarray(0, bytesRead));
      if (bytesRead < this.buffer.length) return;
      // A long backlog is read a buffer per turn, so the orchestrator goes on meanwhile.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** The file itself while it exists (lowest latency), else its folder, to see it appear. */
  private watchTarget(target: string): void {
    // A watch on the path follows its inode, so a new file at the path needs a new watch.
    if (this.closed || (this.watcher && this.watchedTarget === target && (target !== this.path || this.watchedInode === this.inode))) return;
    this.closeWatcher();
    const name = basename(this.path);
    try {
      const watcher = watch(target);
      watcher.on('change', (event, filename) => {
        if (target !== this.path && filename !== null && filename.toString() !== name) return;
        this.schedule(target !== this.path || event === 'rename');
      });
      // The safety timer keeps following; the next look tries to watch again.
      watcher.on('error', () => this.closeWatcher());
      this.watcher = watcher;
      this.watchedTarget = target;
      this.watchedInode = this.inode;
    } catch {
      // Folder missing too: the safety timer will notice when it appears.
    }
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.watchedTarget = undefined;
  }

  private emit(line: string): void {
    try {
      this.options.onLine(line);
    } catch (error) {
      this.report(error);
    }
  }

  /** The same failure every 250 ms is one report, not a flood. */
  private report(error: unknown): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    if (failure.message === this.lastErrorMessage) return;
    this.lastErrorMessage = failure.message;
    this.options.onError?.(failure);
  }
}

/**
 * Cuts bytes into lines. A chunk's complete lines are decoded in one call (a newline byte is never
 * part of a multi-byte UTF-8 sequence, so this is safe); only the unfinished tail is copied, and
 * never more than the line cap of it.
 */
class LineSplitter {
  private parts: Buffer[] = [];
  private keptBytes = 0;
  private droppedBytes = 0;

  constructor(
    private readonly maxLineBytes: number,
    private readonly emit: (line: string) => void,
  ) {}

  push(chunk: Buffer): void {
    const first = chunk.indexOf(10);
    if (first === -1) {
      this.keep(chunk);
      return;
    }
    let start = 0;
    if (this.keptBytes > 0 || this.droppedBytes > 0) {
      this.keep(chunk.subarray(0, first));
      this.flush();
      start = first + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= start) this.emitLines(chunk.toString('utf8', start, last));
    this.keep(chunk.subarray(last + 1));
  }

  /** Emits the unfinished line, if any: at close, truncation and rotation. */
  flush(): void {
    if (this.keptBytes === 0 && this.droppedBytes === 0) return;
    const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.keptBytes);
    let line = bytes.toString('utf8');
    if (this.droppedBytes > 0) line += ` [line cut: ${this.droppedBytes} more bytes]`;
    else if (line.endsWith('\r')) line = line.slice(0, -1);
    this.parts = [];
    this.keptBytes = 0;
    this.droppedBytes = 0;
    this.emit(line);
  }

  private emitLines(text: string): void {
    let start = 0;
    for (;;) {
      const end = text.indexOf('\n', start);
      const stop = end === -1 ? text.length : end;
      this.emit(text.charCodeAt(stop - 1) === 13 ? text.slice(start, stop - 1) : text.slice(start, stop));
      if (end === -1) return;
      start = end + 1;
    }
  }

  /** Copies, because the chunk is the tail's reused read buffer. */
  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const room = this.maxLineBytes - this.keptBytes;
    const kept = Math.max(0, Math.min(room, bytes.length));
    if (kept > 0) this.parts.push(Buffer.from(bytes.subarray(0, kept)));
    this.keptBytes += kept;
    this.droppedBytes += bytes.length - kept;
  }
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
