// Bundles the built-in worker, which a run starts once per worker: twenty at once on two cores.
// dist/builtin-worker.cjs is one file with no dependency: it starts in about the time Node.js
// itself takes (CommonJS: Node.js readies its ES module loader in a few more milliseconds). The tool's JSON Schema is made here, from the zod schema, so the worker does not
// load zod.
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

// Left by earlier builds: a V8 startup snapshot, an ES module bundle.
for (const stale of ['dist/builtin-worker.blob', 'dist/builtin-worker.blob.json', 'dist/builtin-worker.mjs']) rmSync(stale, { force: true });
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const { runObjectiveJsonSchema } = await import('../dist/workers/builtin/builtin-worker-schema.js');

await build({
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  define: { __AP_VERSION__: JSON.stringify(version), __AP_WORKER_INPUT_SCHEMA__: JSON.stringify(runObjectiveJsonSchema()) },
  entryPoints: ['dist/workers/builtin/builtin-worker-main.js'],
  outfile: 'dist/builtin-worker.cjs',
  format: 'cjs',
  // The schema module is loaded only when the bundle lacks the schema above.
  external: ['./builtin-worker-schema.js'],
});
