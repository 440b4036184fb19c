/**
 * Follows the log files that workers name (paths or globs) and turns their lines into activities.
 * chokidar only discovers files, including ones that appear later; each file is then followed
 * by its own LogTail, which sees appends within a millisecond and handles truncation and rotation.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import picomatch from 'picomatch';
import type { Activity } from '../activity.js';
import { parseApLogLine } from './ap-log-parser.js';
import { activitiesFromJsonEvent } from './jsonl-log-parser.js';
import { LogTail } from './log-tail.js';

export type LogFormat = 'ap' | 'jsonl' | 'auto';

export interface LogSource {
  workerId: string;
  /** File paths or globs; `~` is the home folder, relative ones start at `cwd`. */
  patterns: string[];
  format: LogFormat;
}

export interface LogMonitorOptions {
  sources: LogSource[];
  /** Read what files present at start already hold; files that appear later are always read whole. */
  fromStart: boolean;
  onActivity: (workerId: string, activity: Activity) => void;
  onError?: (workerId: string, error: Error) => void;
  log?: { debug(message: string, detail?: unknown): void };
  /** What `~` means; defaults to the user's home folder. */
  homeDirectory?: string;
  cwd?: string;
  maxLineBytes?: number;
  pollIntervalMs?: number;
}

export interface LogMonitorStats {
  files: number;
  lines: number;
  activities: number;
  malformed: number;
}

/** How deep a `**` glob looks below its static folder. */
const globstarDepth = 8;
/** A deleted file may be a rotation in progress; its tail waits this long for a new one. */
const unlinkGraceMs = 2000;

export class LogMonitor {
  private readonly tails = new Map<string, LogTail>();
  private readonly watchers = new Set<FSWatcher>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly counts: LogMonitorStats = { files: 0, lines: 0, activities: 0, malformed: 0 };
  private started = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private markClosed: () => void = () => undefined;
  /** Settles on close, so a start still waiting for a watcher's first scan does not hang. */
  private readonly closedSignal = new Promise<void>((resolveClosed) => {
    this.markClosed = resolveClosed;
  });

  constructor(private readonly options: LogMonitorOptions) {}

  async start(): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    const initial: Promise<void>[] = [];
    for (const source of this.options.sources) {
      for (const pattern of source.patterns) {
        const absolute = this.absolutePattern(pattern);
        const scan = picomatch.scan(absolute);
        if (!scan.isGlob) initial.push(this.follow(source, absolute, this.options.fromStart));
        // scan's own isGlobstar is only set when asked for parts, so look for `**` directly.
        else initial.push(this.discover(source, absolute, scan.base, scan.glob.includes('**') ? globstarDepth : scan.glob.split('/').length - 1, false));
      }
    }
    await Promise.all(initial);
  }

  stats(): LogMonitorStats {
    return { ...this.counts, files: this.tails.size };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.markClosed();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.watchers].map((watcher) => watcher.close().catch(() => undefined)));
    this.watchers.clear();
    await Promise.all([...this.tails.values()].map((tail) => tail.close()));
    this.tails.clear();
  }

  private absolutePattern(pattern: string): string {
    const home = this.options.homeDirectory ?? homedir();
    const expanded = pattern === '~' ? home : pattern.startsWith('~/') ? `${home}${pattern.slice(1)}` : pattern;
    return resolve(this.options.cwd ?? process.cwd(), expanded);
  }

  /** Resolves once the files already there are being followed; later ones are picked up as they come. */
  private discover(source: LogSource, pattern: string, base: string, depth: number, late: boolean): Promise<void> {
    if (this.closed) return Promise.resolve();
    // chokidar sees nothing under a folder that does not exist yet, so wait for the folder first.
    if (!existsSync(base)) {
      this.later(this.options.pollIntervalMs ?? 500, () => void this.discover(source, pattern, base, depth, true).catch((error: unknown) => this.report(source, error)));
      return Promise.resolve();
    }
    const matches = picomatch(pattern, { dot: true });
    const initial: Promise<void>[] = [];
    let ready = false;
    const watcher = watch(base, { ignoreInitial: false, depth, ignored: (path, stats) => stats?.isFile() === true && !matches(path) });
    this.watchers.add(watcher);
    watcher.on('add', (path) => {
      if (!matches(path)) return;
      const following = this.follow(source, path, late || ready || this.options.fromStart);
      if (ready) void following.catch((error: unknown) => this.report(source, error));
      else initial.push(following);
    });
    watcher.on('unlink', (path) => this.forgetIfGone(source, path));
    watcher.on('error', (error) => this.report(source, error));
    const scanned = new Promise<void>((resolveReady) => {
      watcher.once('ready', () => {
        ready = true;
        void Promise.all(initial).then(() => resolveReady());
      });
    });
    return Promise.race([scanned, this.closedSignal]);
  }

  private async follow(source: LogSource, path: string, fromStart: boolean): Promise<void> {
    const key = `${source.workerId}\u0000${path}`;
    if (this.closed || this.tails.has(key)) return;
    const tail = new LogTail(path, {
      fromStart,
      onLine: (line) => this.handleLine(source, line),
      onError: (error) => this.report(source, error),
      maxLineBytes: this.options.maxLineBytes,
      pollIntervalMs: this.options.pollIntervalMs,
    });
    this.tails.set(key, tail);
    this.options.log?.debug('following log file', { workerId: source.workerId, path, fromStart });
    await tail.start();
  }

  /** A rotation recreates the file at once and the tail carries on; a deletion frees the tail. */
  private forgetIfGone(source: LogSource, path: string): void {
    this.later(unlinkGraceMs, () => {
      const key = `${source.workerId}\u0000${path}`;
      const tail = this.tails.get(key);
      if (!tail || existsSync(path)) return;
      this.tails.delete(key);
      this.options.log?.debug('log file gone', { workerId: source.workerId, path });
      // Should the file come back, discovery follows it with a new tail; this one must not read it too.
      void tail.close({ gone: true });
    });
  }

  private handleLine(source: LogSource, line: string): void {
    this.counts.lines += 1;
    const first = firstVisibleCharacter(line);
    if (first === -1) return;
    let activities: Activity[];
    if (source.format === 'jsonl' || (source.format === 'auto' && line.charCodeAt(first) === 123 /* { */)) {
      let event: unknown;
      try {
        event = JSON.parse(line);
      } catch {
        this.counts.malformed += 1;
        return;
      }
      activities = activitiesFromJsonEvent(event);
    } else {
      const parsed = parseApLogLine(line, 'log');
      if (!parsed) {
        this.counts.malformed += 1;
        return;
      }
      activities = [parsed];
    }
    for (const activity of activities) {
      this.counts.activities += 1;
      try {
        this.options.onActivity(source.workerId, activity);
      } catch (error) {
        this.report(source, error);
      }
    }
  }

  private later(delayMs: number, run: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) run();
    }, delayMs);
    this.timers.add(timer);
  }

  private report(source: LogSource, error: unknown): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    this.options.log?.debug('log monitor error', { workerId: source.workerId, message: failure.message });
    try {
      this.options.onError?.(source.workerId, failure);
    } catch {
      // A failing error handler must not take the monitor down with it.
    }
  }
}

function firstVisibleCharacter(line: string): number {
  for (let index = 0; index < line.length; index += 1) {
    const code = line.charCodeAt(index);
    if (code !== 32 && code !== 9 && code !== 13 && code !== 0xfeff) return index;
  }
  return -1;
}
