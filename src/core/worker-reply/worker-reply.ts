/**
 * The AP worker reply: what a worker says when it ends an objective. Workers write it as text
 * (AI agents are asked to in their prompt; the built-in worker always does); the orchestrator
 * parses it leniently, since a model may add prose around it.
 *
 *   STATUS=COMPLETED | FAILED | BLOCKED
 *   ### Change Summary
 *   - what changed
 *   ### Test Status
 *   passed | failed | not run, with details
 *   ### Commit Message
 *   feat(auth): add token login
 *   ### Failure Report          (when FAILED)
 *   what went wrong
 *   REQUESTED_SCOPE_ADDITION=src/x.ts, src/y/   (when BLOCKED)
 *   REASON=why the scope must grow
 */
export type WorkerStatus = 'COMPLETED' | 'FAILED' | 'BLOCKED';

export interface WorkerReply {
  /** Null when the reply names no status; the caller decides from the exit and the diff. */
  status: WorkerStatus | null;
  changeSummary: string[];
  testStatus: string | null;
  commitMessage: string | null;
  failureReport: string | null;
  requestedScopeAddition: string[];
  reason: string | null;
}

const sectionNames: Record<string, keyof WorkerReply> = {
  'change summary': 'changeSummary',
  'test status': 'testStatus',
  'commit message': 'commitMessage',
  commit: 'commitMessage',
  'failure report': 'failureReport',
};

export function parseWorkerReply(text: string): WorkerReply {
  const reply: WorkerReply = { status: null, changeSummary: [], testStatus: null, commitMessage: null, failureReport: null, requestedScopeAddition: [], reason: null };
  const sections = new Map<keyof WorkerReply, string[]>();
  let current: keyof WorkerReply | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    const status = /^\**STATUS\**\s*[=:]\s*\**\s*(COMPLETED|FAILED|BLOCKED)\b/i.exec(line);
    if (status) {
      reply.status = status[1]!.toUpperCase() as WorkerStatus;
      continue;
    }
    const scope = /^REQUESTED_SCOPE_ADDITION\s*[=:]\s*(.*)$/i.exec(line);
    if (scope) {
      reply.requestedScopeAddition.push(...scope[1]!.split(/[,\s]+/).map((entry) => entry.replace(/^[`'"]|[`'"]$/g, '')).filter(Boolean));
      continue;
    }
    const reason = /^REASON\s*[=:]\s*(.*)$/i.exec(line);
    if (reason) {
      reply.reason = reason[1]!.trim() || null;
      continue;
    }
    const heading = /^#{2,4}\s+(.+?)\s*:?\s*$/.exec(line);
    if (heading) {
      current = sectionNames[heading[1]!.toLowerCase()];
      continue;
    }
    if (current && line) {
      const lines = sections.get(current) ?? [];
      lines.push(line);
      sections.set(current, lines);
    }
  }
  reply.changeSummary = (sections.get('changeSummary') ?? []).map((line) => line.replace(/^[-*]\s*/, ''));
  reply.testStatus = sections.get('testStatus')?.join('\n') ?? null;
  reply.commitMessage = sections.get('commitMessage')?.[0]?.replace(/^`+|`+$/g, '') ?? null;
  reply.failureReport = sections.get('failureReport')?.join('\n') ?? null;
  return reply;
}

export function renderWorkerReply(reply: Omit<WorkerReply, 'reason'> & { reason?: string | null }): string {
  const lines = [`STATUS=${reply.status ?? 'COMPLETED'}`, '', '### Change Summary', ...(reply.changeSummary.length > 0 ? reply.changeSummary.map((line) => `- ${line}`) : ['- no changes'])];
  lines.push('', '### Test Status', reply.testStatus ?? 'not run');
  if (reply.commitMessage) lines.push('', '### Commit Message', reply.commitMessage);
  if (reply.failureReport) lines.push('', '### Failure Report', reply.failureReport);
  if (reply.requestedScopeAddition.length > 0) lines.push('', `REQUESTED_SCOPE_ADDITION=${reply.requestedScopeAddition.join(', ')}`);
  if (reply.reason) lines.push(`REASON=${reply.reason}`);
  return `${lines.join('\n')}\n`;
}
