/**
 * `analyze` at scale: a 50,000-file git repository (50 modules of small TypeScript and Python
 * files that import each other), committed once. Generating it is not timed; listing and the
 * whole analysis are, a few runs each.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyzeRepository } from '../src/core/analysis/analyze-repository.js';
import { listRepoFiles } from '../src/core/analysis/repo-files.js';

const moduleCount = 50;
const pythonEvery = 5; // every fifth module is Python
const foldersPerModule = 20;
const filesPerFolder = 50;
const fileCount = moduleCount * foldersPerModule * filesPerFolder;
const targetMs = 5000;

const pad = (value: number) => String(value).padStart(2, '0');
const moduleName = (module: number) => `mod${pad(module)}`;
const isPython = (module: number) => module % pythonEvery === pythonEvery - 1;

function typeScriptFile(module: number, folder: number, file: number): string {
  const other = (module + 1 + (file % 7)) % moduleCount;
  const crossModule = isPython(other)
    ? ''
    : `import { value${pad(file)} as remote } from '../../../${moduleName(other)}/src/sub${pad(folder)}/file${pad(file)}.js';\n`;
  return `import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { value${pad((file + 1) % filesPerFolder)} as neighbour } from './file${pad((file + 1) % filesPerFolder)}.js';
import type { Shared } from '../sub${pad((folder + 1) % foldersPerModule)}/file00.js';
${crossModule}
export interface Item${file} {
  id: string;
  count: number;
}

export const value${pad(file)} = ${file};

export async function load${file}(filePath: string): Promise<Item${file}[]> {
  const text = await readFile(filePath, 'utf8');
  const schema = z.array(z.object({ id: z.string(), count: z.number() }));
  return schema.parse(JSON.parse(text)).map((item) => ({ ...item, count: item.count + neighbour }));
}

export type Alias${file} = Shared | undefined;
`;
}

function pythonFile(module: number, folder: number, file: number): string {
  const other = (module + pythonEvery) % moduleCount;
  return `import os
import json
from ${moduleName(other)}.sub${pad(folder)} import file${pad(file)}
from . import file${pad((file + 1) % filesPerFolder)}


def load_${file}(path):
    with open(os.path.join(path, "data.json")) as handle:
        return [item["count"] + ${file} for item in json.load(handle)]


class Item${file}:
    def __init__(self, identifier, count):
        self.identifier = identifier
        self.count = count
`;
}

function generateRepository(root: string): void {
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'bench-monorepo', private: true, workspaces: ['mod*'] }));
  writeFileSync(path.join(root, 'pyproject.toml'), '[project]\nname = "bench-tools"\n');
  for (let module = 0; module < moduleCount; module++) {
    for (let folder = 0; folder < foldersPerModule; folder++) {
      const relativeFolder = isPython(module) ? `${moduleName(module)}/sub${pad(folder)}` : `${moduleName(module)}/src/sub${pad(folder)}`;
      mkdirSync(path.join(root, relativeFolder), { recursive: true });
      // The two manifests above count as files too: leave two slots for them.
      const count = module === 0 && folder === 0 ? filesPerFolder - 2 : filesPerFolder;
      for (let file = 0; file < count; file++) {
        const name = isPython(module) ? `file${pad(file)}.py` : `file${pad(file)}.ts`;
        writeFileSync(path.join(root, relativeFolder, name), isPython(module) ? pythonFile(module, folder, file) : typeScriptFile(module, folder, file));
      }
    }
  }
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], { cwd: root, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'bench repository');
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const root = mkdtempSync(path.join(tmpdir(), 'ap-analyze-bench-'));
try {
  process.stderr.write(`generating ${fileCount} files in ${root}\n`);
  generateRepository(root);
  const listRuns: number[] = [];
  let listed = 0;
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    listed = (await listRepoFiles(root)).files.length;
    listRuns.push(performance.now() - start);
  }
  const analyzeRuns: number[] = [];
  let edges = 0;
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    const report = await analyzeRepository({ repo: root, request: 'Fix the crash in mod03 and mod07', analysisId: `bench-${run}`, createdAt: new Date().toISOString() });
    analyzeRuns.push(performance.now() - start);
    edges = report.importGraph.length;
    if (report.totals.files !== fileCount) throw new Error(`expected ${fileCount} files, the analysis saw ${report.totals.files}`);
  }
  const analyzeMsMedian = median(analyzeRuns);
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'analyze',
      files: listed,
      importEdges: edges,
      listMs: Math.round(median(listRuns)),
      analyzeMsMedian: Math.round(analyzeMsMedian),
      analyzeMsMin: Math.round(Math.min(...analyzeRuns)),
      targetMs,
      pass: listed === fileCount && analyzeMsMedian < targetMs,
    })}\n`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
