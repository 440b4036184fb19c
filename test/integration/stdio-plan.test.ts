import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisReportSchema } from '../../src/core/analysis/types.js';
import { coordinationPlanSchema } from '../../src/core/plan/coordination-plan.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';
import { connectToServer, textOf, type ServerConnection } from '../helpers/stdio-server.js';

const fixture: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'shop', main: 'src/index.ts', bin: { shop: 'bin/shop.js' } }),
  'bin/shop.js': "import '../src/index.js';\n",
  'src/index.ts': "import { login } from './auth/login.js';\nimport { render } from './ui/app.js';\nlogin('a', 'b');\nrender();\n",
  'src/auth/login.ts': "import { hash } from './hash.js';\nexport function login(user: string, password: string) {\n  return hash(user + password);\n}\n",
  'src/auth/hash.ts': 'export function hash(text: string) {\n  return text.length;\n}\n',
  'src/ui/app.ts': "import { login } from '../auth/login.js';\nexport function render() {\n  return login('x', 'y');\n}\n",
  'src/ui/view.ts': "import { render } from './app.js';\nexport const view = render;\n",
  'src/billing/invoice.py': 'def total(items):\n    return sum(items)\n',
  'tests/auth.test.ts': "import { login } from '../src/auth/login.js';\nlogin('t', 't');\n",
  'README.md': '# Shop\n',
};

describe('MCP server over stdio: analyze, plan, approve', () => {
  let repo: TempRepo;
  let server: ServerConnection;
  let analysisId: string;

  beforeAll(async () => {
    repo = createTempRepo(fixture);
    server = await connectToServer({ repo: repo.root });
  });

  afterAll(async () => {
    await server?.close();
    repo?.remove();
  });

  it('lists its tools with schemas and annotations', async () => {
    const { tools } = await server.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['analyze', 'plan', 'approve', 'execute', 'status', 'cancel', 'report']);
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(tool.annotations?.openWorldHint).toBe(tool.name === 'execute');
      expect(tool.description!.length).toBeGreaterThan(50);
      for (const property of Object.values(tool.inputSchema.properties ?? {})) {
        expect((property as { description?: string }).description, `${tool.name} property without description`).toBeTruthy();
      }
    }
  });

  it('analyzes the fixture repository', async () => {
    const result = await server.call('analyze', { repo: repo.root, request: 'Fix the login crash in auth and show errors in the ui' });
    expect(result.isError, textOf(result)).toBeFalsy();
    const report = analysisReportSchema.parse(result.structuredContent);
    analysisId = report.analysisId;
    expect(report.isGitRepo).toBe(true);
    expect(report.totals.files).toBe(Object.keys(fixture).length);
    expect(report.modules.map((module) => [module.name, module.scope, module.files])).toEqual([
      ['bin', 'bin/', 1],
      ['src (root files)', 'src/*', 1],
      ['src/auth', 'src/auth/', 2],
      ['src/billing', 'src/billing/', 1],
      ['src/ui', 'src/ui/', 2],
      ['tests', 'tests/', 1],
    ]);
    expect(report.entryPoints.map((entry) => entry.path)).toEqual(expect.arrayContaining(['bin/shop.js', 'src/index.ts']));
    expect(report.testDirs).toEqual(['tests/']);
    expect(report.importGraph).toEqual(
      expect.arrayContaining([
        { from: 'src/ui', to: 'src/auth', imports: 1 },
        { from: 'src (root files)', to: 'src/auth', imports: 1 },
        { from: 'tests', to: 'src/auth', imports: 1 },
      ]),
    );
    expect(report.taskType).toBe('BUG');
    expect(report.affectedModules).toEqual(['src/auth', 'src/ui']);
    expect(report.coordinationPoints).toHaveLength(1);
    expect(report.coordinationPoints[0]!.modules.sort()).toEqual(['src/auth', 'src/ui']);
    expect(report.scopeStrategy.waves).toEqual([['src/auth'], ['src/ui']]);
    expect(existsSync(join(repo.root, report.markdownPath))).toBe(true);
    expect(readFileSync(join(repo.root, report.markdownPath), 'utf8')).toContain(report.analysisId);
  });

  it('keeps its state folder out of git and in SQLite', () => {
    expect(readFileSync(join(repo.root, '.git/info/exclude'), 'utf8')).toContain('/.ap/');
    expect(repo.git('status', '--porcelain')).not.toContain('.ap');
    const database = new Database(join(repo.root, '.ap/orchestrator.db'), { readonly: true });
    try {
      expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(database.prepare('SELECT COUNT(*) AS count FROM analyses WHERE id = ?').get(analysisId)).toEqual({ count: 1 });
    } finally {
      database.close();
    }
  });

  it('moves the later of two overlapping objectives to a later wave and says why', async () => {
    const result = await server.call('plan', {
      analysisId,
      objectives: [
        { id: 'auth-core', title: 'Fix login', scopeTouch: ['src/auth/'] },
        { id: 'ui-errors', title: 'Show errors', scopeTouch: ['src/ui/app.ts'], dependsOn: ['auth-core'] },
        { id: 'auth-hash', title: 'Harden hashing', scopeTouch: ['./src//auth/hash.ts'] },
        { id: 'billing', title: 'Untouched module', scopeTouch: ['src/billing/**/*.py'] },
      ],
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const plan = coordinationPlanSchema.parse(result.structuredContent);
    expect(plan.status).toBe('draft');
    expect(plan.waves).toEqual([
      { wave: 1, objectives: ['auth-core', 'billing'] },
      { wave: 2, objectives: ['ui-errors', 'auth-hash'] },
    ]);
    expect(plan.moves).toEqual([
      expect.objectContaining({ objective: 'auth-hash', fromWave: 1, toWave: 2, collidedWith: 'auth-core', entry: './src//auth/hash.ts', otherEntry: 'src/auth/' }),
    ]);
    expect(textOf(result)).toContain('"auth-hash" moved from wave 1 to wave 2');
    const authHash = plan.objectives.find((objective) => objective.id === 'auth-hash')!;
    expect(authHash.scopeTouch).toEqual(['src/auth/hash.ts']);
    expect(authHash.effectiveForbid).toEqual(expect.arrayContaining(['.git/', 'node_modules/', '.ap/', 'src/ui/app.ts']));
    expect(plan.contracts).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'dependency', providers: ['auth-core'], consumers: ['ui-errors'] })]));
    expect(plan.contracts.some((contract) => contract.kind === 'import' && contract.description.startsWith('src/ui imports src/auth'))).toBe(true);
    const markdown = readFileSync(join(repo.root, plan.markdownPath), 'utf8');
    expect(markdown).toContain('## Moves');
    expect(markdown).toContain('| 2 | auth-hash |');

    const approved = await server.call('approve', { planId: plan.planId });
    expect(approved.structuredContent).toMatchObject({ status: 'approved' });
    expect(readFileSync(join(repo.root, plan.markdownPath), 'utf8')).toContain('**Status:** approved');
    const again = await server.call('approve', { planId: plan.planId });
    expect(textOf(again)).toContain('Already approved');
  });

  it('proposes one objective per affected module when none are given', async () => {
    const result = await server.call('plan', { analysisId, approve: true });
    expect(result.isError, textOf(result)).toBeFalsy();
    const plan = coordinationPlanSchema.parse(result.structuredContent);
    expect(plan.source).toBe('proposed');
    expect(plan.status).toBe('approved');
    expect(plan.waves).toEqual([
      { wave: 1, objectives: ['src-auth'] },
      { wave: 2, objectives: ['src-ui'] },
    ]);
  });

  const objective = (id: string, extra: Record<string, unknown> = {}) => ({ id, title: `Objective ${id}`, scopeTouch: [`src/${id}/`], ...extra });
  const badInputs: [string, () => Record<string, unknown>, string[]][] = [
    ['an unknown analysis id', () => ({ analysisId: 'an-missing' }), ['No analysis with id "an-missing"', 'Call `analyze` first']],
    ['duplicate objective ids', () => ({ analysisId, objectives: [objective('a'), objective('a')] }), ['objective "a"', 'field id', 'used by objectives[0] and objectives[1]', 'Fix: Give every objective its own id']],
    ['a dependency on a missing objective', () => ({ analysisId, objectives: [objective('a', { dependsOn: ['ghost'] })] }), ['objective "a"', 'field dependsOn[0]', 'Depends on "ghost"', 'Fix:']],
    [
      'a dependency cycle',
      () => ({ analysisId, objectives: [objective('a', { dependsOn: ['c'] }), objective('b', { dependsOn: ['a'] }), objective('c', { dependsOn: ['b'] })] }),
      ['field dependsOn', 'cycle: a -> c -> b -> a', 'Fix: Remove one dependency'],
    ],
    ['an absolute path', () => ({ analysisId, objectives: [objective('a', { scopeTouch: ['/etc/passwd'] })] }), ['objective "a"', 'field scopeTouch[0]', 'absolute path', 'Fix: Use a path relative to the repository root']],
    ['a .. escape', () => ({ analysisId, objectives: [objective('a', { scopeRead: ['../other-repo/'] })] }), ['objective "a"', 'field scopeRead[0]', 'escapes the repository', 'Fix:']],
    ['a NUL byte', () => ({ analysisId, objectives: [objective('a', { scopeForbid: ['src/a\u0000b'] })] }), ['objective "a"', 'field scopeForbid[0]', 'NUL byte', 'Fix: Remove the NUL']],
    ['an empty scope', () => ({ analysisId, objectives: [objective('a', { scopeTouch: [] })] }), ['objective "a"', 'field scopeTouch', 'scopeTouch is empty', 'Fix: List the files']],
    ['an invalid glob', () => ({ analysisId, objectives: [objective('a', { scopeTouch: ['src/**.ts'] })] }), ['objective "a"', 'field scopeTouch[0]', 'not a valid glob', 'must be a whole path segment', 'Fix:']],
    ['a wrongly typed field', () => ({ analysisId, objectives: [objective('a', { scopeTouch: 'src/a/' })] }), ['objective "a"', 'field scopeTouch', 'expected array', 'Fix: Give scopeTouch as an array']],
    ['a snake_case field', () => ({ analysisId, objectives: [{ id: 'a', title: 'A', scope_touch: ['src/'] }] }), ['objective "a"', 'Unknown field "scope_touch"', 'Rename "scope_touch" -> "scopeTouch"']],
    ['a bad edit op', () => ({ analysisId, objectives: [objective('a', { edits: [{ op: 'explode' }] })] }), ['objective "a"', 'field edits[0]', 'Fix:']],
    ['an unusable objective id', () => ({ analysisId, objectives: [objective('a b')] }), ['objective "a b"', 'field id', 'not usable in branch and folder names']],
    ['a touch inside the global forbid list', () => ({ analysisId, objectives: [objective('a', { scopeTouch: ['node_modules/x/index.js'] })] }), ['objective "a"', 'global forbid entry "node_modules/"']],
  ];

  it.each(badInputs)('answers %s with an isError result that names the objective, the field and the fix', async (_name, input, expected) => {
    const result = await server.call('plan', input());
    expect(result.isError).toBe(true);
    const text = textOf(result);
    for (const fragment of expected) expect(text).toContain(fragment);
  });

  it('reports every problem of a plan at once', async () => {
    const result = await server.call('plan', {
      analysisId,
      objectives: [objective('a', { scopeTouch: ['/abs'] }), objective('b', { dependsOn: ['nope'] }), objective('c', { scopeTouch: [] })],
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^3 problems:/);
  });

  it('answers unknown plans, unknown tools and missing repos clearly, and keeps serving', async () => {
    expect(textOf(await server.call('approve', { planId: 'plan-nope' }))).toContain('No plan with id "plan-nope". Call `plan` first');
    const unknownTool = await server.call('explode', {});
    expect(unknownTool.isError).toBe(true);
    expect(textOf(unknownTool)).toContain('Unknown tool "explode". Available tools: analyze, plan, approve, execute, status, cancel, report');
    const missingRepo = await server.call('analyze', { repo: '/definitely/not/here', request: 'x' });
    expect(textOf(missingRepo)).toContain('field repo: The folder /definitely/not/here does not exist');
    const missingRequest = await server.call('analyze', { repo: repo.root });
    expect(textOf(missingRequest)).toContain('field request');
    const { tools } = await server.client.listTools();
    expect(tools).toHaveLength(7);
  });
});
