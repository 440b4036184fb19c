/** Entry of the bundled built-in worker (dist/builtin-worker.cjs): `node builtin-worker.cjs [--log FILE]`. */
import { serveBuiltinWorker } from '../../cli/serve-builtin-worker.js';

const index = process.argv.indexOf('--log');
serveBuiltinWorker(index === -1 ? undefined : process.argv[index + 1]);
