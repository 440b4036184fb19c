import { z } from 'zod';
import { runStatusSchema, runStatusSnapshot, summarizeStatus } from '../run/run-status.js';
import { defineTool } from './tool.js';
import { repoHint } from './repo-hint.js';

export const cancel = defineTool({
  schema: {
    name: 'cancel',
    title: 'Cancel a run',
    description:
      'Stops a running run: in-flight objectives are cancelled (workers get notifications/cancelled, then their process groups are stopped), nothing more is merged, and the run ends `cancelled` with a report of what it had done. Works for runs started by another ap-orchestrator process too.',
    inputSchema: z.strictObject({
      runId: z.string().min(1).describe('The run to stop.'),
      repo: repoHint('run'),
    }),
    outputSchema: runStatusSchema,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  },
  async handle(params, response, context) {
    const repository = context.workspace.findRun(params.runId, params.repo);
    context.runs.cancel(params.runId, params.repo);
    // A run of this process stops within seconds; answer with its final state when we can.
    await context.runs.waitForRun(params.runId, 20_000);
    const snapshot = runStatusSnapshot(repository, params.runId);
    response.setResult(snapshot, `${snapshot.status === 'running' ? 'Cancel requested; the run is stopping.' : `Run is ${snapshot.status}.`}\n${summarizeStatus(snapshot)}`);
  },
});
