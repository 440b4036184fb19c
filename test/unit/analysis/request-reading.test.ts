import { describe, expect, it } from 'vitest';
import { findAffectedModules } from '../../../src/core/analysis/affected-modules.js';
import { findCoordinationPoints } from '../../../src/core/analysis/coordination-points.js';
import { planScopeStrategy } from '../../../src/core/analysis/scope-strategy.js';

const modules = ['(root files)', 'src (root files)', 'src/auth', 'src/ui', 'src/user', 'src/billing', 'tools'];
const files = [
  { path: 'src/auth/session-store.ts', module: 'src/auth' },
  { path: 'src/auth/index.ts', module: 'src/auth' },
  { path: 'src/ui/header.tsx', module: 'src/ui' },
  { path: 'src/billing/invoice.ts', module: 'src/billing' },
  { path: 'tools/main.py', module: 'tools' },
  { path: 'setup.py', module: '(root files)' },
];

describe('findAffectedModules', () => {
  it.each([
    ['Add SSO to auth', ['src/auth']],
    ['Show the users list in the UI', ['src/ui', 'src/user']],
    ['Fix the header.', ['src/ui']],
    ['Invoices are rounded wrong', ['src/billing']],
    ['Speed up src/auth/session-store.ts', ['src/auth']],
    ['Fix session-store and tools', ['src/auth', 'tools']],
    ['Clean up the main index', modules],
    ['Authentication is slow', modules],
  ] as [string, string[]][])('%s -> %j', (request, expected) => {
    expect(findAffectedModules(request, modules, files).modules).toEqual([...expected].sort());
  });

  it('says when the request named no module', () => {
    expect(findAffectedModules('Make it nicer', modules, files).named).toBe(false);
    expect(findAffectedModules('Make auth nicer', modules, files).named).toBe(true);
  });
});

const edges = [
  { from: 'api', to: 'db', imports: 4 },
  { from: 'ui', to: 'api', imports: 3 },
  { from: 'ui', to: 'db', imports: 1 },
  { from: 'jobs', to: 'mail', imports: 2 },
  { from: 'mail', to: 'jobs', imports: 1 },
  { from: 'mail', to: 'db', imports: 1 },
  { from: 'outside', to: 'db', imports: 9 },
];

describe('planScopeStrategy', () => {
  it('layers importers after what they import', () => {
    expect(planScopeStrategy(['ui', 'api', 'db', 'docs'], edges, true)).toEqual({
      summary: 'Multi-wave: 2 independent modules in wave 1, integration in wave 2 (api), wave 3 (ui)',
      waves: [['db', 'docs'], ['api'], ['ui']],
    });
  });

  it('collapses an import cycle into one wave', () => {
    expect(planScopeStrategy(['jobs', 'mail', 'db'], edges, true)).toEqual({
      summary: 'Multi-wave: 1 independent module in wave 1, integration in wave 2 (jobs, mail); jobs and mail import each other, so they share a wave and need one agreed contract',
      waves: [['db'], ['jobs', 'mail']],
    });
  });

  it('keeps unrelated modules in one parallel wave', () => {
    expect(planScopeStrategy(['docs', 'ui', 'jobs'], edges, true)).toEqual({ summary: 'Single wave: 3 independent modules can change in parallel', waves: [['docs', 'jobs', 'ui']] });
    expect(planScopeStrategy(['ui'], edges, true).summary).toBe('Single wave: 1 module (ui)');
  });
});

describe('findCoordinationPoints', () => {
  it('names both modules and the direction of every import between affected modules', () => {
    expect(findCoordinationPoints(['ui', 'api', 'db', 'jobs', 'mail'], edges)).toEqual([
      { modules: ['api', 'db'], description: "api imports db (4 imports): agree on db's exported interface before changing both" },
      { modules: ['api', 'ui'], description: "ui imports api (3 imports): agree on api's exported interface before changing both" },
      { modules: ['db', 'mail'], description: "mail imports db (1 import): agree on db's exported interface before changing both" },
      { modules: ['db', 'ui'], description: "ui imports db (1 import): agree on db's exported interface before changing both" },
      {
        modules: ['jobs', 'mail'],
        description: 'jobs and mail import each other (jobs -> mail: 2 imports, mail -> jobs: 1 import): agree on the interfaces between them before changing both',
      },
    ]);
  });
});
