import type { AnalysisReport } from './types.js';
import type { ImportDialect, RawImport } from './import-extraction.js';
import type { ModuleLayout } from './module-layout.js';
import { folderOf, type SpecifierResolver } from './import-resolvers.js';
import { byPlainOrder } from './plain-order.js';

export type ImportEdge = AnalysisReport['importGraph'][number];

export interface ParsedFile {
  path: string;
  dialect: ImportDialect;
  imports: RawImport[];
}

type Answers = Map<string, string | undefined>;

const onlyDots = /^\.+$/;

function cachedResolve(answers: Answers, resolveHere: (specifier: string) => string | undefined, specifier: string): string | undefined {
  if (answers.has(specifier)) return answers.get(specifier);
  const answer = resolveHere(specifier);
  answers.set(specifier, answer);
  return answer;
}

/** Modules one statement with alternatives reaches. A bare-dots Python target counts only when the named ones do not resolve. */
function alternativesTargets(statement: readonly string[], resolveHere: (specifier: string) => string | undefined): Set<string> {
  const modules = new Set<string>();
  let fallback: string | undefined;
  for (const specifier of statement) {
    if (onlyDots.test(specifier)) fallback = specifier;
    else {
      const moduleName = resolveHere(specifier);
      if (moduleName) modules.add(moduleName);
    }
  }
  if (modules.size === 0 && fallback) {
    const moduleName = resolveHere(fallback);
    if (moduleName) modules.add(moduleName);
  }
  return modules;
}

/** Counts import statements between modules; imports inside one module are left out. */
export function buildImportGraph(parsedFiles: readonly ParsedFile[], resolve: SpecifierResolver, layout: ModuleLayout): ImportEdge[] {
  const counts = new Map<string, Map<string, number>>();
  // Files of one folder import the same specifiers again and again: resolve each once per folder.
  const answersByFolder = new Map<string, Answers>();
  for (const file of parsedFiles) {
    const from = layout.moduleOf(file.path);
    if (!from) continue;
    const folder = folderOf(file.path);
    const cacheKey = `${file.dialect}\0${folder}`;
    let answers = answersByFolder.get(cacheKey);
    if (!answers) answersByFolder.set(cacheKey, (answers = new Map()));
    const folderAnswers = answers;
    const resolveHere = (specifier: string): string | undefined =>
      cachedResolve(folderAnswers, (uncached) => resolve(folder, file.dialect, uncached), specifier);
    let targets = counts.get(from);
    if (!targets) counts.set(from, (targets = new Map()));
    for (const statement of file.imports) {
      if (typeof statement === 'string') {
        const to = resolveHere(statement);
        if (to && to !== from) targets.set(to, (targets.get(to) ?? 0) + 1);
        continue;
      }
      for (const to of alternativesTargets(statement, resolveHere)) {
        if (to !== from) targets.set(to, (targets.get(to) ?? 0) + 1);
      }
    }
  }
  const edges: ImportEdge[] = [];
  for (const [from, targets] of counts) for (const [to, imports] of targets) edges.push({ from, to, imports });
  return edges.sort((left, right) => byPlainOrder(left.from, right.from) || byPlainOrder(left.to, right.to));
}
