import type { AnalysisReport, ModuleInfo, RepoFile } from './types.js';
import { languageOf } from './languages.js';
import type { ModuleLayout } from './module-layout.js';
import { byPlainOrder } from './plain-order.js';

type LanguageSummary = AnalysisReport['languages'];

/** Line counts of the regular files that were read as text; binary and unreadable files are absent. */
export type LinesByPath = ReadonlyMap<string, number>;

function byCountThenName(counts: ReadonlyMap<string, number>): string[] {
  return [...counts.entries()].sort((left, right) => right[1] - left[1] || byPlainOrder(left[0], right[0])).map(([name]) => name);
}

export function summarizeLanguages(regularFiles: readonly string[], linesByPath: LinesByPath): LanguageSummary {
  const totals = new Map<string, { files: number; lines: number }>();
  for (const filePath of regularFiles) {
    const language = languageOf(filePath);
    if (!language) continue;
    const total = totals.get(language) ?? { files: 0, lines: 0 };
    total.files++;
    total.lines += linesByPath.get(filePath) ?? 0;
    totals.set(language, total);
  }
  return [...totals.entries()]
    .map(([name, { files, lines }]) => ({ name, files, lines }))
    .sort((left, right) => right.lines - left.lines || byPlainOrder(left.name, right.name));
}

export function moduleOfEntry(layout: ModuleLayout, file: RepoFile): string | undefined {
  return layout.moduleOf(file.path, file.kind === 'submodule');
}

/** File, line and language counts per module. Symlinks and submodules count as files of their module. */
export function summarizeModules(files: readonly RepoFile[], layout: ModuleLayout, linesByPath: LinesByPath): ModuleInfo[] {
  const modules = new Map<string, { files: number; lines: number; languages: Map<string, number> }>();
  for (const file of files) {
    const name = moduleOfEntry(layout, file);
    if (!name) continue;
    let info = modules.get(name);
    if (!info) modules.set(name, (info = { files: 0, lines: 0, languages: new Map() }));
    info.files++;
    if (file.kind !== 'file') continue;
    info.lines += linesByPath.get(file.path) ?? 0;
    const language = languageOf(file.path);
    if (language) info.languages.set(language, (info.languages.get(language) ?? 0) + 1);
  }
  return [...modules.entries()]
    .map(([name, info]) => ({ name, scope: layout.scopeOf(name), files: info.files, lines: info.lines, languages: byCountThenName(info.languages) }))
    .sort((left, right) => byPlainOrder(left.name, right.name));
}
