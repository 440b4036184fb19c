import { describe, expect, it } from 'vitest';
import { upsertOwnedSection } from '../../../src/core/report/session-docs.js';

const section = { id: 'features', title: 'Features', body: '- Token login\n- Logout' };
const block = '<!-- ap-orchestrator:features:start -->\n## Features\n\n- Token login\n- Logout\n<!-- ap-orchestrator:features:end -->';
const readme = '# Shop\n\nA shop.\n\n## Install\n\nnpm i\n';

describe('upsertOwnedSection', () => {
  it('creates the section in a new file', () => {
    expect(upsertOwnedSection(null, section)).toEqual({ content: `${block}\n`, changed: true });
  });

  it('appends the section to a file that lacks it, keeping the rest byte-identical', () => {
    const result = upsertOwnedSection(readme, section);
    expect(result).toEqual({ content: `${readme}\n${block}\n`, changed: true });
  });

  it('replaces only the text between the markers', () => {
    const before = '# Shop\n\nIntro.\n\n';
    const after = '\n\n## License\n\nMIT\n';
    const existing = `${before}<!-- ap-orchestrator:features:start -->\n## Old title\n\n- Old\n<!-- ap-orchestrator:features:end -->${after}`;
    const result = upsertOwnedSection(existing, section);
    expect(result.changed).toBe(true);
    expect(result.content).toBe(`${before}${block}${after}`);
  });

  it('is idempotent', () => {
    const once = upsertOwnedSection(readme, section).content;
    expect(upsertOwnedSection(once, section)).toEqual({ content: once, changed: false });
  });

  it('leaves a start marker without an end alone and says why', () => {
    const broken = `${readme}<!-- ap-orchestrator:features:start -->\nhand-edited\n`;
    const result = upsertOwnedSection(broken, section);
    expect(result.content).toBe(broken);
    expect(result.changed).toBe(false);
    expect(result.problem).toContain('has no matching `<!-- ap-orchestrator:features:end -->`');
  });

  it('leaves an end marker without a start, or duplicated markers, alone', () => {
    const orphanEnd = `${readme}<!-- ap-orchestrator:features:end -->\n`;
    expect(upsertOwnedSection(orphanEnd, section)).toMatchObject({ content: orphanEnd, changed: false, problem: expect.stringContaining('has no matching') });
    const twice = `${block}\n${block}\n`;
    expect(upsertOwnedSection(twice, section)).toMatchObject({ content: twice, changed: false, problem: expect.stringContaining('duplicated or out of order') });
  });

  it('ignores the markers of other sections', () => {
    const other = `${readme}<!-- ap-orchestrator:requirements:start -->\n`;
    expect(upsertOwnedSection(other, section).content).toBe(`${other}\n${block}\n`);
  });

  it('does not let body text forge an end marker', () => {
    const forged = { ...section, body: '- a <!-- ap-orchestrator:features:end --> b' };
    const once = upsertOwnedSection(readme, forged).content;
    expect(upsertOwnedSection(once, forged)).toEqual({ content: once, changed: false });
    expect(once.match(/<!-- ap-orchestrator:features:end -->/g)).toHaveLength(1);
  });
});
