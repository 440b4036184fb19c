import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ScriptedEdit } from '../../core/plan/objective-schema.js';

export interface StepReport {
  /** AP log type and tool, e.g. TOOL + write_file. */
  type: string;
  tool?: string;
  description: string;
  /** The file the step changed, repo-relative. */
  file?: string;
}

/** What a step that stops the script wants to say. */
export type ScriptOutcome =
  | { kind: 'completed' }
  | { kind: 'failed'; message: string }
  | { kind: 'blocked'; requestedScope: string[]; reason: string }
  | { kind: 'crash'; exitCode: number };

/** Resolves a scripted path inside the worktree; the worker never writes outside it. */
function inside(cwd: string, path: string): string {
  const target = resolve(cwd, path);
  const relation = relative(cwd, target);
  if (isAbsolute(path) || relation.startsWith('..') || isAbsolute(relation)) {
    throw new Error(`The scripted path "${path}" is outside the working directory.`);
  }
  return target;
}

export function describeStep(edit: ScriptedEdit): StepReport {
  switch (edit.op) {
    case 'write':
      return { type: 'TOOL', tool: 'write_file', description: `Writing ${edit.path}`, file: edit.path };
    case 'append':
      return { type: 'TOOL', tool: 'append_file', description: `Appending to ${edit.path}`, file: edit.path };
    case 'replace':
      return { type: 'TOOL', tool: 'search_replace', description: `Editing ${edit.path}`, file: edit.path };
    case 'delete':
      return { type: 'TOOL', tool: 'delete_file', description: `Deleting ${edit.path}`, file: edit.path };
    case 'delay':
      return { type: 'THINKING', description: `Working for ${edit.ms} ms` };
    case 'fail':
      return { type: 'ERROR', description: edit.message };
    case 'crash':
      return { type: 'ERROR', description: `Crashing with exit code ${edit.exitCode ?? 1}` };
    case 'block':
      return { type: 'BLOCKED', description: `Needs ${edit.requestedScope.join(', ')}: ${edit.reason}` };
  }
}

/**
 * Carries out one step. Returns an outcome when the step ends the script (fail, block, crash),
 * undefined to go on. `onTick` is called during long delays so the caller can report progress.
 */
export async function applyStep(cwd: string, edit: ScriptedEdit, signal: AbortSignal, onTick: () => Promise<void>): Promise<ScriptOutcome | undefined> {
  switch (edit.op) {
    case 'write': {
      const target = inside(cwd, edit.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, edit.content);
      return undefined;
    }
    case 'append': {
      const target = inside(cwd, edit.path);
      await mkdir(dirname(target), { recursive: true });
      await appendFile(target, edit.content);
      return undefined;
    }
    case 'replace': {
      const target = inside(cwd, edit.path);
      const before = await readFile(target, 'utf8');
      const index = before.indexOf(edit.search);
      if (index === -1) return { kind: 'failed', message: `The text to replace was not found in ${edit.path}.` };
      await writeFile(target, before.slice(0, index) + edit.replace + before.slice(index + edit.search.length));
      return undefined;
    }
    case 'delete':
      await rm(inside(cwd, edit.path), { force: true });
      return undefined;
    case 'delay': {
      const end = Date.now() + edit.ms;
      while (Date.now() < end) {
        await sleep(Math.min(500, end - Date.now()), undefined, { signal });
        // A tick keeps a long call alive; the step that follows reports itself.
        if (Date.now() < end) await onTick();
      }
      return undefined;
    }
    case 'fail':
      return { kind: 'failed', message: edit.message };
    case 'block':
      return { kind: 'blocked', requestedScope: edit.requestedScope, reason: edit.reason };
    case 'crash':
      return { kind: 'crash', exitCode: edit.exitCode ?? 1 };
  }
}
