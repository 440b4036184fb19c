/**
 * Runs every bench/*.bench.ts (or the ones named on the command line) one after another, each in
 * its own process so they do not disturb each other, and prints their JSON results as one array.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const folder = fileURLToPath(new URL('.', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const wanted = process.argv.slice(2);
const benches = readdirSync(folder)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => wanted.length === 0 || wanted.some((word) => name.includes(word)))
  .sort();

const results: unknown[] = [];
for (const bench of benches) {
  process.stderr.write(`running ${bench}\n`);
  try {
    const output = execFileSync(process.execPath, [tsx, `${folder}${bench}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
    for (const line of output.split('\n')) if (line.trim().startsWith('{')) results.push(JSON.parse(line));
  } catch (error) {
    results.push({ benchmark: bench, error: (error as Error).message });
  }
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
