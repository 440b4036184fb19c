import { describe, expect, it } from 'vitest';
import { parseWorkerReply, renderWorkerReply } from '../../../src/core/worker-reply/worker-reply.js';

describe('AP worker reply', () => {
  it('parses a completed reply with prose around it', () => {
    const reply = parseWorkerReply(
      'I made the change.\n\n**STATUS**: completed\n\n## Change Summary\n- Added `src/auth/token.ts`\n* Exported it\n\n### Test Status:\npassed (12 tests)\n\n### Commit Message\n`feat(auth): add tokens`\n',
    );
    expect(reply).toMatchObject({ status: 'COMPLETED', changeSummary: ['Added `src/auth/token.ts`', 'Exported it'], testStatus: 'passed (12 tests)', commitMessage: 'feat(auth): add tokens' });
  });

  it('parses a failure report and a scope-expansion request', () => {
    expect(parseWorkerReply('STATUS=FAILED\n### Failure Report\nthe build broke\nbadly').failureReport).toBe('the build broke\nbadly');
    const blocked = parseWorkerReply('STATUS=BLOCKED\nREQUESTED_SCOPE_ADDITION=src/db/index.ts, `src/db/types.ts`\nREASON=types live there');
    expect(blocked).toMatchObject({ status: 'BLOCKED', requestedScopeAddition: ['src/db/index.ts', 'src/db/types.ts'], reason: 'types live there' });
  });

  it('returns nulls for a reply in no known format, and round-trips its own rendering', () => {
    expect(parseWorkerReply('just some words')).toMatchObject({ status: null, changeSummary: [], commitMessage: null });
    const original = { status: 'BLOCKED' as const, changeSummary: ['one'], testStatus: 'not run', commitMessage: null, failureReport: null, requestedScopeAddition: ['a/b.ts'], reason: 'why' };
    expect(parseWorkerReply(renderWorkerReply(original))).toEqual(original);
  });
});
