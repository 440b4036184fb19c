import type { AnalysisReport, RepoFile } from './types.js';
import { foldersOf } from './folders-of.js';
import { findAffectedModules } from './affected-modules.js';
import { findCoordinationPoints } from './coordination-points.js';
import { findEntryPoints } from './entry-points.js';
import { scanFileContents } from './file-contents.js';
import { runGit } from './git-command.js';
import { extractImports, importDialectOf } from './import-extraction.js';
import { buildImportGraph, type ParsedFile } from './import-graph.js';
import { createSpecifierResolver, type RepoShape } from './import-resolvers.js';
import { isParsedManifest } from './manifest-kinds.js';
import { readManifests } from './manifests.js';
import { buildModuleLayout, type ModuleLayout } from './module-layout.js';
import { byPlainOrder } from './plain-order.js';
import { listRepoFiles } from './repo-files.js';
import { moduleOfEntry, summarizeLanguages, summarizeModules } from './repository-summary.js';
import { planScopeStrategy } from './scope-strategy.js';
import { classifyTaskType } from './task-type.js';
import { findTestDirs } from './test-dirs.js';

export interface AnalyzeInput {
  repo: string;
  request: string;
  analysisId: string;
  createdAt: string;
}

async function gitLine(root: string, args: readonly string[]): Promise<string | null> {
  const result = await runGit(root, args);
  const line = result.ok ? result.stdout.trim() : '';
  return line || null;
}

function repoShape(files: readonly RepoFile[], layout: ModuleLayout): RepoShape {
  return { listed: new Set(files.map((file) => file.path)), folders: foldersOf(files), layout };
}

/**
 * The deterministic scan behind `analyze`: reads the target repository (never writes), and
 * derives modules, imports between them, and which of them the request touches. The same
 * repository and request give the same report, apart from id and timestamp.
 */
export async function analyzeRepository(input: AnalyzeInput): Promise<Omit<AnalysisReport, 'markdownPath'>> {
  const listing = await listRepoFiles(input.repo);
  const root = listing.root;
  const headCommit = listing.isGitRepo ? gitLine(root, ['rev-parse', '-q', '--verify', 'HEAD^{commit}']) : Promise.resolve(null);
  const branch = listing.isGitRepo ? gitLine(root, ['symbolic-ref', '-q', '--short', 'HEAD']) : Promise.resolve(null);

  const regularFiles = listing.files.filter((file) => file.kind === 'file').map((file) => file.path);
  const manifestTexts = new Map<string, string>();
  const parsedFiles: ParsedFile[] = [];
  const scan = await scanFileContents(root, regularFiles, {
    wantsText: (filePath) => isParsedManifest(filePath) || importDialectOf(filePath) !== undefined,
    onText: (filePath, text) => {
      if (isParsedManifest(filePath)) manifestTexts.set(filePath, text);
      const dialect = importDialectOf(filePath);
      if (dialect) parsedFiles.push({ path: filePath, dialect, imports: extractImports(dialect, text) });
    },
  });
  const linesByPath = new Map<string, number>();
  let binaryFiles = 0;
  let unreadableFiles = 0;
  regularFiles.forEach((filePath, index) => {
    const facts = scan.facts[index]!;
    if (facts.binary) binaryFiles++;
    else if (facts.unreadable) unreadableFiles++;
    else linesByPath.set(filePath, facts.lines);
  });

  const manifests = readManifests(regularFiles, manifestTexts);
  const layout = buildModuleLayout(listing.files);
  const shape = repoShape(listing.files, layout);
  const modules = summarizeModules(listing.files, layout, linesByPath);
  const importGraph = buildImportGraph(parsedFiles, createSpecifierResolver(shape, manifests), layout);
  const filesWithModule = listing.files.flatMap((file) => {
    const moduleName = moduleOfEntry(layout, file);
    return moduleName ? [{ path: file.path, module: moduleName }] : [];
  });
  const affected = findAffectedModules(input.request, modules.map((info) => info.name), filesWithModule);
  let lines = 0;
  for (const count of linesByPath.values()) lines += count;

  return {
    analysisId: input.analysisId,
    repo: root,
    request: input.request,
    createdAt: input.createdAt,
    isGitRepo: listing.isGitRepo,
    headCommit: await headCommit,
    branch: await branch,
    totals: {
      files: listing.files.length,
      lines,
      binaryFiles,
      symlinks: listing.files.filter((file) => file.kind === 'symlink').length,
      unreadableFiles,
    },
    languages: summarizeLanguages(regularFiles, linesByPath),
    manifests: manifests.manifests,
    modules,
    entryPoints: findEntryPoints(regularFiles, shape.listed, manifests),
    testDirs: findTestDirs(listing.files),
    importGraph,
    ...classifyTaskType(input.request),
    affectedModules: affected.modules,
    coordinationPoints: findCoordinationPoints(affected.modules, importGraph),
    scopeStrategy: planScopeStrategy(affected.modules, importGraph, affected.named),
    warnings: [...new Set([...listing.warnings, ...scan.warnings, ...manifests.warnings])].sort(byPlainOrder),
  };
}
