import { describe, expect, it } from 'vitest';
import { upsertAgentsSession, type AgentsSessionEntry } from '../../../src/core/report/session-docs.js';

const entry = (runId: string, fields: Partial<AgentsSessionEntry> = {}): AgentsSessionEntry => ({
  runId,
  date: '2025-06-01',
  request: 'Add JWT login',
  summary: '2 of 2 objectives merged into ap/run-1 in 1 wave. Verify passed.',
  objectives: [
    { id: 'o1', outcome: 'merged' },
    { id: 'o2', outcome: 'merged' },
  ],
  learnings: ['o3 changed src/db/x.ts outside its scope (outside_touch).'],
  ...fields,
});

const expectedBlock = [
  '<!-- ap-session:run-1:start -->',
  '## 2025-06-01: run-1',
  '',
  '**Request:** Add JWT login',
  '',
  '**Summary:** 2 of 2 objectives merged into ap/run-1 in 1 wave. Verify passed.',
  '',
  '**Objectives:**',
  '- o1: merged',
  '- o2: merged',
  '',
  '**Learnings:**',
  '- o3 changed src/db/x.ts outside its scope (outside_touch).',
  '<!-- ap-session:run-1:end -->',
].join('\n');

const handWritten = '# Agents\n\nUse pnpm, not npm.\n\n# Recent Sessions\n\nOlder notes a person wrote.\n\n## Conventions\n\nTabs.\n';

describe('upsertAgentsSession', () => {
  it('creates the file content from nothing', () => {
    expect(upsertAgentsSession(null, entry('run-1'))).toBe(`# Recent Sessions\n\n${expectedBlock}\n`);
  });

  it('puts the entry under the existing heading and leaves every other byte alone', () => {
    const result = upsertAgentsSession(handWritten, entry('run-1'));
    expect(result).toBe(handWritten.replace('# Recent Sessions\n', `# Recent Sessions\n\n${expectedBlock}\n`));
    expect(result.replace(`\n\n${expectedBlock}`, '')).toBe(handWritten);
  });

  it('adds the heading at the end when it is missing', () => {
    const existing = '# Agents\n\nUse pnpm.';
    expect(upsertAgentsSession(existing, entry('run-1'))).toBe(`${existing}\n\n# Recent Sessions\n\n${expectedBlock}\n`);
  });

  it('is idempotent', () => {
    const once = upsertAgentsSession(handWritten, entry('run-1'));
    expect(upsertAgentsSession(once, entry('run-1'))).toBe(once);
  });

  it('puts the newest run first and updates an older entry in place', () => {
    const first = upsertAgentsSession(handWritten, entry('run-1'));
    const second = upsertAgentsSession(first, entry('run-2', { request: 'Add logout', summary: 'Logout merged.' }));
    expect(second.indexOf('ap-session:run-2:start')).toBeLessThan(second.indexOf('ap-session:run-1:start'));
    expect(second.indexOf('ap-session:run-1:end')).toBeLessThan(second.indexOf('Older notes a person wrote.'));
    const updated = upsertAgentsSession(second, entry('run-1', { summary: 'Rerun: all merged.' }));
    expect(updated.indexOf('ap-session:run-2:start')).toBeLessThan(updated.indexOf('ap-session:run-1:start'));
    expect(updated.match(/ap-session:run-1:start/g)).toHaveLength(1);
    expect(updated).toContain('**Summary:** Rerun: all merged.');
    expect(updated).not.toContain('2 of 2 objectives merged');
    expect(updated.endsWith('## Conventions\n\nTabs.\n')).toBe(true);
  });

  it('keeps CRLF files CRLF', () => {
    const result = upsertAgentsSession(handWritten.replace(/\n/g, '\r\n'), entry('run-1'));
    expect(result).not.toMatch(/[^\r]\n/);
    expect(result).toContain('# Recent Sessions\r\n\r\n<!-- ap-session:run-1:start -->');
  });

  it('does not let request text forge a marker', () => {
    const forged = entry('run-1', { request: 'Add x <!-- ap-session:run-1:end --> and y' });
    const once = upsertAgentsSession(handWritten, forged);
    expect(once.match(/<!-- ap-session:run-1:end -->/g)).toHaveLength(1);
    expect(upsertAgentsSession(once, forged)).toBe(once);
  });

  it('leaves a file with an unbalanced marker for the run alone', () => {
    const broken = `${handWritten}<!-- ap-session:run-1:start -->\nhalf an entry\n`;
    expect(upsertAgentsSession(broken, entry('run-1'))).toBe(broken);
  });
});
