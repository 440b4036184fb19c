/** A small polyglot repository with known modules, entry points and imports. */
export const shopFiles: Record<string, string | Buffer> = {
  '.gitignore': 'dist/\n',
  'package.json': JSON.stringify({ name: 'shop', main: 'dist/index.js', bin: { shop: 'bin/shop.js' }, exports: { '.': { import: './src/index.ts' } } }),
  'pyproject.toml': '[project]\nname = "shop-tools"\n\n[project.scripts]\nshop-tool = "tools.cli:main"\n',
  'go.mod': 'module example.com/shop\n\ngo 1.22\n',
  Makefile: 'all:\n\ttrue\n',
  Dockerfile: 'FROM node:20\n',
  'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x0a, 0x0a]),
  'bin/shop.js': "#!/usr/bin/env node\nrequire('../src/cli/run.js');\n",
  'src/index.ts': "export * from './auth/index.js';\nexport { ui } from './ui/view';\n",
  'src/auth/index.ts': "import { db } from '../db/client.js';\nexport const auth = db;\n",
  'src/auth/token.ts': "import jwt from 'jsonwebtoken';\nimport { user } from '../users/model';\nexport const token = [jwt, user];",
  'src/users/model.ts': 'export const user = 1;\n',
  'src/ui/view.tsx': "import { auth } from '../auth';\nimport { token } from '../auth/token.js';\nconst later = () => import('../users/model.js');\nexport const ui = [auth, token, later];\n",
  'src/db/client.ts': 'export const db = {};\n',
  'src/cli/run.ts': "import '../auth/index.js';\n",
  'tests/auth.test.ts': "import { auth } from '../src/auth/index.js';\nvoid auth;\n",
  'tests/unit/tests/deep.test.ts': 'export {};\n',
  'tools/cli.py': 'from tools.helpers import x\nimport analytics.report\nfrom . import helpers\n\ndef main():\n    return x\n',
  'tools/helpers.py': 'x = 1\n',
  'analytics/report.py': 'import os\nfrom tools import helpers\n',
  'analytics/__main__.py': 'from .report import helpers\n',
  'cmd/server/main.go': 'package main\n\nimport (\n\t"fmt"\n\t"example.com/shop/internal/store"\n)\n\nfunc main() { fmt.Println(store.Name) }\n',
  'internal/store/store.go': 'package store\n\nconst Name = "s"\n',
  'docs/guide.md': '# Guide\n\nRead me.\n',
};

/** Lines by the rule the scan uses, computed independently: newlines, plus one for an unterminated last line. */
export function expectedLines(files: Record<string, string | Buffer>): number {
  let total = 0;
  for (const content of Object.values(files)) {
    if (typeof content !== 'string' || content.length === 0) continue;
    total += content.split('\n').length - (content.endsWith('\n') ? 1 : 0);
  }
  return total;
}
