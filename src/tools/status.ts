import { z } from 'zod';
import { runStatusSchema, runStatusSnapshot, summarizeStatus } from '../run/run-status.js';
import { defineTool } from './tool.js';
import { repoHint } from './repo-hint.js';

export const status = defineTool({
  schema: {
    name: 'status',
    title: 'Follow a run',
    description:
      'Returns a run\'s phase, waves, each objective\'s state and worker, the workers\' numbers and the latest events. With waitSeconds, waits (long-polls) until something new happens after afterSeq (default: now) or the time is up, so a host can follow a run without busy polling.',
    inputSchema: z.strictObject({
      runId: z.string().min(1).describe('The runId returned by `execute`.'),
      waitSeconds: z.number().min(0).max(50).default(0).describe('Wait up to this many seconds for a new event before answering (at most 50).'),
      afterSeq: z.number().int().min(0).optional().describe('Wait for events after this seq (the lastSeq of the previous answer).'),
      repo: repoHint('run'),
    }),
    outputSchema: runStatusSchema,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  },
  async handle(params, response, context) {
    const repository = context.workspace.findRun(params.runId, params.repo);
    let snapshot = runStatusSnapshot(repository, params.runId);
    // A run that has ended has nothing new to wait for.
    if (params.waitSeconds > 0 && snapshot.status === 'running') {
      await repository.bus.waitForEvent(params.runId, params.afterSeq ?? repository.bus.lastSeq, params.waitSeconds * 1000, context.signal);
      snapshot = runStatusSnapshot(repository, params.runId);
    }
    response.setResult(snapshot, summarizeStatus(snapshot));
  },
});
