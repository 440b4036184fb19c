/**
 * The AP log line format: `[2025-10-08T10:36:45] TYPE: description`, and for tools
 * `[ts] TOOL: search_replace - Editing src/auth.py`. A hand-written scanner, because it runs on
 * every line of every followed log (the benchmark asks for millions of lines a second): it reads
 * characters in place and allocates little beyond the activity itself.
 */
import { filePathIn, type Activity, type ActivityKind } from '../activity.js';

/** The TYPE words that mean more than a message; any other word is a message. */
const kindByType: readonly (readonly [string, ActivityKind])[] = [
  ['TOOL', 'tool_use'],
  ['THINKING', 'reasoning'],
  ['REASONING', 'reasoning'],
  ['CODING', 'file_change'],
  ['EDIT', 'file_change'],
  ['TEST', 'testing'],
  ['TESTING', 'testing'],
  ['ERROR', 'error'],
  ['DONE', 'completed'],
  ['COMPLETED', 'completed'],
  ['FAILED', 'failed'],
  ['BLOCKED', 'failed'],
];

/** Candidates by first capital letter and length, so a line compares against one word at most. */
const longestType = 9;
const candidates: (readonly [string, ActivityKind])[][] = [];
for (const entry of kindByType) (candidates[slotOf(entry[0].charCodeAt(0), entry[0].length)] ??= []).push(entry);

function slotOf(firstCode: number, length: number): number {
  return firstCode < 65 || firstCode > 90 || length > longestType ? -1 : (firstCode - 65) * (longestType + 1) + length;
}

/** Longer type words are prose with a colon in it, not a TYPE. */
const maxTypeLength = 32;
/** A path sits near the start of a description; scanning a megabyte for one buys nothing. */
const filePathSearchLength = 4096;

const space = 32;
const tab = 9;
const dot = 46;
const slash = 47;
const colon = 58;

export function parseApLogLine(line: string, source = 'log'): Activity | null {
  const length = line.length;
  let open = 0;
  // Leading blanks and a byte-order mark are noise from editors and `echo`.
  while (open < length && isLeadingNoise(line.charCodeAt(open))) open += 1;
  if (line.charCodeAt(open) !== 91 /* [ */) return null;
  const close = line.indexOf(']', open + 1);
  if (close <= open + 1) return null;

  let typeStart = close + 1;
  while (line.charCodeAt(typeStart) === space) typeStart += 1;
  let typeEnd = typeStart;
  while (typeEnd - typeStart <= maxTypeLength && isTypeCharacter(line.charCodeAt(typeEnd))) typeEnd += 1;
  if (typeEnd === typeStart || line.charCodeAt(typeEnd) !== colon) return null;

  let textStart = typeEnd + 1;
  while (line.charCodeAt(textStart) === space) textStart += 1;
  let textEnd = length;
  while (textEnd > textStart && isTrailingBlank(line.charCodeAt(textEnd - 1))) textEnd -= 1;

  const kind = kindOf(line, typeStart, typeEnd);
  const timestamp = timestampOf(line, open + 1, close);
  const text = line.slice(textStart, textEnd);
  if (kind === 'tool_use') return toolActivity(text, timestamp, source);
  const filePath = pathIn(text);
  // Whole literals: adding a property later costs each activity a second allocation.
  return filePath === undefined ? { kind, timestamp, description: text, source } : { kind, timestamp, description: text, source, filePath };
}

function toolActivity(text: string, timestamp: string, source: string): Activity {
  const dash = text.indexOf(' - ');
  const name = dash === -1 ? text : text.slice(0, dash);
  const description = dash === -1 ? text : text.slice(dash + 3);
  const filePath = pathIn(description);
  // `TOOL: Reading the config` has no tool name; a name is one word.
  if (name.length === 0 || name.indexOf(' ') !== -1) {
    return filePath === undefined ? { kind: 'tool_use', timestamp, description, source } : { kind: 'tool_use', timestamp, description, source, filePath };
  }
  return filePath === undefined
    ? { kind: 'tool_use', timestamp, description, source, toolName: name }
    : { kind: 'tool_use', timestamp, description, source, toolName: name, filePath };
}

function kindOf(line: string, start: number, end: number): ActivityKind {
  const slot = slotOf(line.charCodeAt(start), end - start);
  const list = slot === -1 ? undefined : candidates[slot];
  if (list) for (let index = 0; index < list.length; index += 1) if (sameCharacters(line, start, list[index]![0])) return list[index]![1];
  if (!hasLowerCase(line, start, end)) return 'message';
  const upper = line.slice(start, end).toUpperCase();
  return kindByType.find(([word]) => word === upper)?.[1] ?? 'message';
}

function sameCharacters(line: string, start: number, word: string): boolean {
  for (let index = 1; index < word.length; index += 1) if (line.charCodeAt(start + index) !== word.charCodeAt(index)) return false;
  return true;
}

function hasLowerCase(line: string, start: number, end: number): boolean {
  for (let index = start; index < end; index += 1) {
    const code = line.charCodeAt(index);
    if (code >= 97 && code <= 122) return true;
  }
  return false;
}

/**
 * The AP writer stamps `toISOString().slice(0, 19)`: UTC without the zone. That shape is checked
 * in place by one sticky expression (cheaper here than a character loop) and completed to the
 * `toISOString` shape; other stamps go through Date.parse, and a stamp that is not a date
 * becomes the time the line was seen.
 */
const writerStamp = /\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d/y;

function timestampOf(line: string, start: number, end: number): string {
  if (end - start === 19) {
    writerStamp.lastIndex = start;
    if (writerStamp.test(line)) return `${line.slice(start, end)}.000Z`;
  }
  return parsedTimestamp(line.slice(start, end).trim());
}

/** Date.parse alone accepts nearly anything (`worker-1` is a date in 2001), so the shape comes first. */
const isoLike = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

function parsedTimestamp(stamp: string): string {
  const shape = isoLike.exec(stamp);
  // Zone-less stamps are UTC (see above), not the reader's local time.
  const milliseconds = shape ? Date.parse(`${stamp.replace(' ', 'T').replace(/\s+/g, '')}${shape[1] && !shape[2] ? 'Z' : ''}`) : Number.NaN;
  return Number.isNaN(milliseconds) ? new Date().toISOString() : new Date(milliseconds).toISOString();
}

/**
 * The same answer as filePathIn on the whole text, without running its expression at every
 * position of every line. filePathIn matches a whole run of path characters (`[\w./-]`) that
 * follows the start, a blank or a quote; is `segment/segment/name.ext` with no empty segment and
 * an extension of 1 to 8 letters or digits; and is followed by the end, a blank, a quote, `:`,
 * `,` or `)`. A path holds a dot, so only runs around dots are looked at. Around non-ASCII
 * characters (`\s` also means Unicode blanks) the run is handed to filePathIn itself.
 */
function pathIn(text: string): string | undefined {
  const limit = Math.min(text.length, filePathSearchLength);
  let at = text.indexOf('.');
  while (at !== -1 && at < limit) {
    let emptySegment = false;
    let runStart = at;
    while (runStart > 0) {
      const code = text.charCodeAt(runStart - 1);
      if (!isPathCharacter(code)) break;
      if (code === slash && text.charCodeAt(runStart) === slash) emptySegment = true;
      runStart -= 1;
    }
    if (text.charCodeAt(runStart) === slash) emptySegment = true;
    let runEnd = at + 1;
    let lastDot = at;
    let lastOther = at; // the last character of the run that is not a letter or digit
    while (runEnd < text.length) {
      const code = text.charCodeAt(runEnd);
      if (!isPathCharacter(code)) break;
      if (!isLetterOrDigit(code)) {
        lastOther = runEnd;
        if (code === dot) lastDot = runEnd;
        else if (code === slash && text.charCodeAt(runEnd - 1) === slash) emptySegment = true;
      }
      runEnd += 1;
    }
    const before = runStart === 0 ? space : text.charCodeAt(runStart - 1);
    const after = runEnd === text.length ? space : text.charCodeAt(runEnd);
    if (before > 127 || after > 127) {
      const found = filePathIn(text.slice(Math.max(0, runStart - 1), runEnd + 1));
      if (found !== undefined) return found;
    } else if (
      !emptySegment &&
      lastOther === lastDot &&
      runEnd - lastDot - 1 >= 1 &&
      runEnd - lastDot - 1 <= 8 &&
      lastDot > runStart &&
      text.charCodeAt(lastDot - 1) !== slash &&
      isPathEdge(before) &&
      (isPathEdge(after) || after === colon || after === 44 /* , */ || after === 41) /* ) */
    ) {
      return text.slice(runStart, runEnd);
    }
    at = text.indexOf('.', runEnd);
  }
  return undefined;
}

/** ASCII blanks and quotes. */
function isPathEdge(code: number): boolean {
  return code === space || (code >= 9 && code <= 13) || code === 96 || code === 39 || code === 34;
}

function isPathCharacter(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 45 && code <= 57) || code === 95;
}

function isLetterOrDigit(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57);
}

function isTypeCharacter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 95 || code === 45;
}

function isLeadingNoise(code: number): boolean {
  return code === space || code === tab || code === 0xfeff;
}

function isTrailingBlank(code: number): boolean {
  return code === space || code === tab || code === 13 || code === 10;
}
