import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { scriptedEditSchema } from '../../core/plan/objective-schema.js';
import { renderWorkerReply } from '../../core/worker-reply/worker-reply.js';
import { serverVersion } from '../../server/version.js';
import { apLogLine } from './ap-log-line.js';
import { applyStep, describeStep, type ScriptOutcome } from './scripted-edits.js';

export const builtinToolName = 'run_objective';

export const runObjectiveInput = z.object({
  prompt: z.string().describe('The AP worker prompt (read for the title; the work itself is scripted).'),
  cwd: z.string().describe('Absolute path of the worktree to work in.'),
  objectiveId: z.string().optional().describe('Objective id, for the log.'),
  title: z.string().optional().describe('Objective title, used in the commit message.'),
  edits: z.array(scriptedEditSchema).default([]).describe('The scripted steps to carry out, in order.'),
});

export interface BuiltinWorkerOptions {
  /** AP-format log file to append one line per step to (optional). */
  logPath?: string;
  /** What to do on a `crash` step; the CLI exits the process. */
  onCrash: (exitCode: number) => never;
}

/**
 * The built-in worker: an MCP server that is not an AI. It carries out an objective's scripted
 * edits in the given folder, reporting each step as progress and as an AP log line, and answers
 * in the AP worker reply format. Demo, tests and benchmarks run the whole cycle with it.
 */
export function createBuiltinWorkerServer(options: BuiltinWorkerOptions): Server {
  const server = new Server({ name: 'ap-orchestrator-builtin-worker', version: serverVersion }, { capabilities: { tools: {} } });
  const log = (type: string, description: string, tool?: string) => {
    if (!options.logPath) return;
    mkdirSync(dirname(options.logPath), { recursive: true });
    appendFileSync(options.logPath, apLogLine(type, description, tool));
  };

  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [
      {
        name: builtinToolName,
        description: 'Carries out the scripted edits of an objective in a working directory.',
        inputSchema: z.toJSONSchema(runObjectiveInput, { io: 'input' }) as { type: 'object' },
      },
    ],
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    if (request.params.name !== builtinToolName) {
      return { content: [{ type: 'text', text: `Unknown tool "${request.params.name}"; this worker has only ${builtinToolName}.` }], isError: true };
    }
    const parsed = runObjectiveInput.safeParse(request.params.arguments ?? {});
    if (!parsed.success) return { content: [{ type: 'text', text: `Invalid arguments: ${z.prettifyError(parsed.error)}` }], isError: true };
    const input = parsed.data;
    const title = input.title ?? /^TITLE: (.*)$/m.exec(input.prompt)?.[1] ?? input.objectiveId ?? 'objective';
    const progressToken = request.params._meta?.progressToken;
    const total = input.edits.length;
    let step = 0;
    let notifications = 0;
    const progress = async (message: string) => {
      if (progressToken === undefined) return;
      // MCP progress must increase with every notification: steps count whole units, keep-alive ticks fractions.
      notifications += 1;
      const value = Math.min(step + notifications / 10_000, total);
      await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: value, total, message } }).catch(() => {});
    };

    log('TASK', `Starting ${input.objectiveId ?? ''} ${title}`.replace(/\s+/g, ' ').trim());
    const changes: string[] = [];
    let outcome: ScriptOutcome = { kind: 'completed' };
    try {
      for (const edit of input.edits) {
        const report = describeStep(edit);
        log(report.type, report.description, report.tool);
        await progress(report.tool ? `${report.tool} - ${report.description}` : report.description);
        const result = await applyStep(input.cwd, edit, extra.signal, () => progress(report.description));
        if (result) {
          outcome = result;
          break;
        }
        if (report.file) changes.push(report.description);
        step += 1;
      }
    } catch (error) {
      outcome = { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
    }

    if (outcome.kind === 'crash') {
      log('ERROR', `Crashing with exit code ${outcome.exitCode}`);
      options.onCrash(outcome.exitCode);
    }
    step = total;
    const subject = `feat: ${title.charAt(0).toLowerCase()}${title.slice(1)}`;
    const reply = renderWorkerReply({
      status: outcome.kind === 'completed' ? 'COMPLETED' : outcome.kind === 'failed' ? 'FAILED' : 'BLOCKED',
      changeSummary: changes,
      testStatus: 'not run (the built-in worker carries out scripted edits only)',
      commitMessage: outcome.kind === 'completed' ? subject : null,
      failureReport: outcome.kind === 'failed' ? outcome.message : null,
      requestedScopeAddition: outcome.kind === 'blocked' ? outcome.requestedScope : [],
      reason: outcome.kind === 'blocked' ? outcome.reason : null,
    });
    log(outcome.kind === 'completed' ? 'DONE' : outcome.kind === 'failed' ? 'ERROR' : 'BLOCKED', outcome.kind === 'failed' ? outcome.message : `Finished ${title}`);
    await progress('done');
    return { content: [{ type: 'text', text: reply }], isError: outcome.kind === 'failed' };
  });
  return server;
}
