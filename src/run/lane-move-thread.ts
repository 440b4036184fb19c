/**
 * The worker thread of `LaneMover`: moves worktrees (`moveLane`) for the main thread, which
 * meanwhile records the wave and readies the next. Each message is a batch: the lanes to move
 * and the contents they share.
 */
import { parentPort } from 'node:worker_threads';
import { moveLane, MoveRefused, type LaneMove } from './lane-move.js';
import type { TreeChange, Worktree } from './repo-git.js';

/** One lane of a batch; the contents are the batch's. */
export interface LaneMoveJob {
  lane: Worktree;
  remove: readonly string[];
  write: readonly TreeChange[];
  index: readonly TreeChange[];
}

export interface LaneMoveBatch {
  id: number;
  jobs: LaneMoveJob[];
  contents: Map<string, Uint8Array>;
  format: string;
}

/** Per job: undefined when moved, else why not and whether it was a refusal (`MoveRefused`). */
export type LaneMoveOutcome = { message: string; refused: boolean } | undefined;

export function runBatch(batch: Omit<LaneMoveBatch, 'id'>): LaneMoveOutcome[] {
  // Buffers arrive as plain byte arrays; `moveLane` writes links from Buffers.
  const contents = new Map([...batch.contents].map(([path, bytes]) => [path, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]));
  return batch.jobs.map((job) => {
    try {
      moveLane(job.lane, { ...job, contents, format: batch.format } satisfies LaneMove);
      return undefined;
    } catch (error) {
      return { message: (error as Error).message, refused: error instanceof MoveRefused };
    }
  });
}

parentPort?.on('message', (batch: LaneMoveBatch) => {
  parentPort!.postMessage({ id: batch.id, outcomes: runBatch(batch) });
});
