import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { describeFsError } from './fs-error-text.js';

export interface FileContentFacts {
  lines: number;
  binary: boolean;
  unreadable: boolean;
}

export interface ContentScanOptions {
  /** Whether the text of this file is needed (imports, manifests). Others are only counted. */
  wantsText(relativePath: string): boolean;
  onText(relativePath: string, text: string): void;
}

/** Larger files are line-counted in chunks but never parsed. */
export const maxParsedBytes = 5 * 1024 * 1024;
const binarySniffBytes = 8000;
const filesPerYield = 512;
// O_NOFOLLOW: a file swapped for a symlink after listing is refused, never read through.
// O_NONBLOCK: a FIFO where a file used to be must not hang the scan.
const openFlags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

function countNewlines(view: Buffer): number {
  let count = 0;
  let index = view.indexOf(10);
  while (index !== -1) {
    count++;
    index = view.indexOf(10, index + 1);
  }
  return count;
}

function hasNulByte(view: Buffer): boolean {
  return view.subarray(0, binarySniffBytes).indexOf(0) !== -1;
}

function readInto(descriptor: number, buffer: Buffer, wanted: number): number {
  let filled = 0;
  while (filled < wanted) {
    const got = readSync(descriptor, buffer, filled, wanted - filled, null);
    if (got === 0) break;
    filled += got;
  }
  return filled;
}

/** Counts a too-large file chunk by chunk; yields between chunks so a huge file cannot freeze the server. */
async function countLargeFile(descriptor: number, buffer: Buffer): Promise<FileContentFacts> {
  let lines = 0;
  let first = true;
  let lastByte = 10;
  for (;;) {
    const filled = readInto(descriptor, buffer, buffer.length);
    if (filled === 0) break;
    const view = buffer.subarray(0, filled);
    if (first && hasNulByte(view)) return { lines: 0, binary: true, unreadable: false };
    first = false;
    lines += countNewlines(view);
    lastByte = view[filled - 1]!;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { lines: first ? 0 : lines + (lastByte === 10 ? 0 : 1), binary: false, unreadable: false };
}

/**
 * Reads every file once: line count, binary sniff, and the text for the files the caller
 * parses. Synchronous reads in batches: on small files they are several times faster than
 * libuv's thread pool, and yielding between batches keeps the event loop responsive.
 */
export async function scanFileContents(
  realRoot: string,
  paths: readonly string[],
  options: ContentScanOptions,
): Promise<{ facts: FileContentFacts[]; warnings: string[] }> {
  const facts: FileContentFacts[] = [];
  const warnings: string[] = [];
  const buffer = Buffer.allocUnsafe(maxParsedBytes);
  for (let index = 0; index < paths.length; index++) {
    if (index > 0 && index % filesPerYield === 0) await new Promise((resolve) => setImmediate(resolve));
    const relativePath = paths[index]!;
    let descriptor: number | undefined;
    try {
      descriptor = openSync(path.join(realRoot, relativePath), openFlags);
      const status = fstatSync(descriptor);
      if (!status.isFile()) {
        warnings.push(`${relativePath}: not a regular file, not read`);
        facts.push({ lines: 0, binary: false, unreadable: true });
        continue;
      }
      if (status.size > maxParsedBytes) {
        warnings.push(`${relativePath}: larger than 5 MB, counted but not parsed`);
        facts.push(await countLargeFile(descriptor, buffer));
        continue;
      }
      const view = buffer.subarray(0, readInto(descriptor, buffer, status.size));
      if (hasNulByte(view)) {
        facts.push({ lines: 0, binary: true, unreadable: false });
        continue;
      }
      const newlines = countNewlines(view);
      const lines = view.length > 0 && view[view.length - 1] !== 10 ? newlines + 1 : newlines;
      facts.push({ lines, binary: false, unreadable: false });
      if (options.wantsText(relativePath)) options.onText(relativePath, view.toString('utf8'));
    } catch (error) {
      warnings.push(`${relativePath}: ${describeFsError(error)}`);
      facts.push({ lines: 0, binary: false, unreadable: true });
    } finally {
      if (descriptor !== undefined) closeSync(descriptor);
    }
  }
  return { facts, warnings };
}
