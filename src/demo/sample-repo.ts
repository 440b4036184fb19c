import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A small TypeScript service with four modules that import each other, and tests. */
const files: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'bookshelf', version: '1.0.0', type: 'module', main: 'src/index.ts', scripts: { test: 'node --test tests/' } }, null, 2) + '\n',
  'README.md': '# Bookshelf\n\nA small book-lending service.\n',
  'src/index.ts': "import { startServer } from './api/server.js';\n\nstartServer(8080);\n",
  'src/auth/index.ts': "export { hashPassword, verifyPassword } from './password.js';\n",
  'src/auth/password.ts':
    "import { createHash } from 'node:crypto';\n\nexport function hashPassword(password: string): string {\n  return createHash('sha256').update(password).digest('hex');\n}\n\nexport function verifyPassword(password: string, hash: string): boolean {\n  return hashPassword(password) === hash;\n}\n",
  'src/db/index.ts': "export interface User {\n  id: number;\n  name: string;\n  passwordHash: string;\n}\n\nconst users = new Map<number, User>();\n\nexport function findUser(id: number): User | undefined {\n  return users.get(id);\n}\n",
  'src/api/server.ts':
    "import { verifyPassword } from '../auth/index.js';\nimport { findUser } from '../db/index.js';\n\nexport function startServer(port: number): void {\n  void port;\n  void verifyPassword;\n  void findUser;\n}\n",
  'src/api/routes.ts': "import { findUser } from '../db/index.js';\n\nexport const routes = { '/users/:id': findUser };\n",
  'src/ui/app.ts': "import { routes } from '../api/routes.js';\n\nexport function render(): string {\n  return Object.keys(routes).join('\\n');\n}\n",
  'team.json': JSON.stringify(
    {
      verify: { command: 'node scripts/check-imports.mjs', timeoutSeconds: 60 },
      workers: [
        { id: 'builtin-1', agent: 'builtin' },
        { id: 'builtin-2', agent: 'builtin' },
        { id: 'builtin-3', agent: 'builtin' },
      ],
    },
    null,
    2,
  ) + '\n',
  'scripts/check-imports.mjs': [
    '// Verify gate of the sample: every relative import in src/ and tests/ must point at a file.',
    "import { existsSync, readdirSync, readFileSync } from 'node:fs';",
    "import { dirname, join } from 'node:path';",
    'const files = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]));',
    'let broken = 0;',
    "for (const file of [...files('src'), ...files('tests')].filter((name) => name.endsWith('.ts'))) {",
    "  for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/from '(\\.[^']+)'/g)) {",
    "    const target = join(dirname(file), specifier).replace(/\\.js$/, '.ts');",
    '    if (!existsSync(target)) {',
    '      broken += 1;',
    '      console.error(`${file}: cannot resolve ${specifier}`);',
    '    }',
    '  }',
    '}',
    "process.stdout.write(broken === 0 ? 'imports ok\\n' : `${broken} broken import(s)\\n`);",
    'process.exit(broken === 0 ? 0 : 1);',
    '',
  ].join('\n'),
  'tests/auth.test.ts': "import { hashPassword } from '../src/auth/index.js';\n\nif (hashPassword('a') === hashPassword('b')) throw new Error('collision');\n",
};

/** Creates the sample repository in a temp folder as a git repo with one commit on `main`. */
export function createSampleRepo(parent: string = tmpdir()): string {
  const root = mkdtempSync(join(parent, 'ap-demo-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=AP Demo', '-c', 'user.email=demo@ap-orchestrator.invalid', 'commit', '-q', '-m', 'Initial bookshelf service');
  return root;
}

export const demoRequest = 'Add token-based login: auth issues tokens, db stores sessions, the api exposes /login and the ui shows a login form';

/**
 * Six objectives over three waves: api-login depends on auth-tokens, ui-login and tests-login on
 * api-login, and auth-docs writes inside src/auth/, which auth-tokens owns, so the planner moves it.
 */
export const demoObjectives = [
  {
    id: 'auth-tokens',
    title: 'Issue and verify login tokens in auth',
    scopeTouch: ['src/auth/'],
    integrationPoints: ['exports issueToken(userId) and verifyToken(token) from src/auth/index.ts'],
    acceptance: ['issueToken returns a token that verifyToken accepts'],
    edits: [
      { op: 'write', path: 'src/auth/token.ts', content: "import { randomBytes } from 'node:crypto';\n\nconst tokens = new Map<string, number>();\n\nexport function issueToken(userId: number): string {\n  const token = randomBytes(16).toString('hex');\n  tokens.set(token, userId);\n  return token;\n}\n\nexport function verifyToken(token: string): number | undefined {\n  return tokens.get(token);\n}\n" },
      { op: 'append', path: 'src/auth/index.ts', content: "export { issueToken, verifyToken } from './token.js';\n" },
    ],
  },
  {
    id: 'db-sessions',
    title: 'Store sessions in db',
    scopeTouch: ['src/db/'],
    edits: [{ op: 'write', path: 'src/db/sessions.ts', content: "export const sessions = new Map<string, { userId: number; createdAt: number }>();\n" }],
  },
  {
    id: 'auth-docs',
    title: 'Document the auth module',
    scopeTouch: ['src/auth/README.md'],
    edits: [{ op: 'write', path: 'src/auth/README.md', content: '# auth\n\nPasswords are hashed with SHA-256; tokens come from issueToken().\n' }],
  },
  {
    id: 'api-login',
    title: 'Expose POST /login in the api',
    scopeTouch: ['src/api/login.ts', 'src/api/routes.ts'],
    dependsOn: ['auth-tokens'],
    edits: [
      { op: 'write', path: 'src/api/login.ts', content: "import { issueToken } from '../auth/index.js';\n\nexport function login(userId: number): { token: string } {\n  return { token: issueToken(userId) };\n}\n" },
      { op: 'replace', path: 'src/api/routes.ts', search: "export const routes = { '/users/:id': findUser };", replace: "import { login } from './login.js';\n\nexport const routes = { '/users/:id': findUser, '/login': login };" },
    ],
  },
  {
    id: 'ui-login',
    title: 'Show a login form in the ui',
    scopeTouch: ['src/ui/'],
    dependsOn: ['api-login'],
    edits: [{ op: 'write', path: 'src/ui/login-form.ts', content: "export function loginForm(): string {\n  return '<form action=\"/login\" method=\"post\"><button>Log in</button></form>';\n}\n" }],
  },
  {
    id: 'tests-login',
    title: 'Test the login flow',
    scopeTouch: ['tests/login.test.ts'],
    dependsOn: ['api-login'],
    edits: [{ op: 'write', path: 'tests/login.test.ts', content: "import { login } from '../src/api/login.js';\n\nif (!login(1).token) throw new Error('no token');\n" }],
  },
];
