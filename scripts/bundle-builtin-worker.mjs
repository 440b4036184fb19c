// Bundles the built-in worker, which a run starts once per worker: twenty at once on two cores.
// - dist/builtin-worker.mjs: one file, ~40% faster to load than the SDK's hundreds of modules.
// - dist/builtin-worker.blob: a V8 startup snapshot with everything loaded, ~3x faster again. It
//   only fits the Node.js binary that built it, so dist/builtin-worker.blob.json records which;
//   the worker preset uses it only on a match and falls back to the bundle otherwise.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning', define: { __AP_VERSION__: JSON.stringify(version) } };

await build({
  ...common,
  entryPoints: ['dist/workers/builtin/builtin-worker-main.js'],
  outfile: 'dist/builtin-worker.mjs',
  format: 'esm',
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});

// A snapshot's entry must be one CommonJS file that loads only built-in modules.
await build({ ...common, entryPoints: ['dist/workers/builtin/builtin-worker-snapshot.js'], outfile: 'dist/builtin-worker-snapshot.cjs', format: 'cjs' });
rmSync('dist/builtin-worker.blob', { force: true });
rmSync('dist/builtin-worker.blob.json', { force: true });
try {
  // V8 flags given here must be given again when starting from the snapshot (see worker-config.ts).
  execFileSync(process.execPath, ['--snapshot-blob', 'dist/builtin-worker.blob', '--build-snapshot', 'dist/builtin-worker-snapshot.cjs'], { stdio: ['ignore', 'ignore', 'pipe'] });
  writeFileSync('dist/builtin-worker.blob.json', `${JSON.stringify({ node: process.version, arch: process.arch, platform: process.platform })}\n`);
} catch (error) {
  // Not fatal: the worker then starts from the bundle, only more slowly.
  process.stderr.write(`note: no startup snapshot for the built-in worker (${String(error.stderr ?? error.message).trim().split('\n').pop()})\n`);
} finally {
  rmSync('dist/builtin-worker-snapshot.cjs', { force: true });
}
