import { z } from 'zod';

export const taskTypes = ['FEATURE', 'BUG', 'REFACTOR', 'RESET', 'ENHANCEMENT', 'TEST', 'DOCS'] as const;
export const taskTypeSchema = z.enum(taskTypes).describe('Kind of work the request asks for.');
export type TaskType = z.infer<typeof taskTypeSchema>;

/** One path the repository listing found. Paths are repo-relative, POSIX separators, never starting with `./`. */
export interface RepoFile {
  path: string;
  kind: 'file' | 'symlink' | 'submodule';
  /** For symlinks: the link text as stored. */
  symlinkTarget?: string;
  /** For symlinks: true when the resolved target lies outside the repository root (never followed). */
  symlinkEscapes?: boolean;
}

export interface RepoListing {
  /** Absolute, real path of the repository root. */
  root: string;
  isGitRepo: boolean;
  /** Sorted by path (plain string order). */
  files: RepoFile[];
  /** Things the listing could not read, phrased for a human ("src/x.ts: permission denied"). */
  warnings: string[];
}

export const moduleSchema = z.object({
  name: z.string().describe('Module name, e.g. `src/auth` or `tests`; `src (root files)` for files directly in a container folder.'),
  scope: z.string().describe('Scope entry that covers exactly this module: a folder with a trailing slash (`src/auth/`) or a glob for root files (`src/*`).'),
  files: z.number().int().describe('Number of files in the module.'),
  lines: z.number().int().describe('Number of text lines in the module (binary files count 0).'),
  languages: z.array(z.string()).describe('Languages found in the module, most files first.'),
});
export type ModuleInfo = z.infer<typeof moduleSchema>;

export const analysisReportSchema = z.object({
  analysisId: z.string().describe('Id of this analysis; pass it to `plan`.'),
  repo: z.string().describe('Absolute path of the analyzed repository.'),
  request: z.string().describe('The request the analysis was made for.'),
  createdAt: z.string().describe('ISO timestamp.'),
  isGitRepo: z.boolean().describe('Whether the target is a git repository (worktree isolation needs one).'),
  headCommit: z.string().nullable().describe('Commit HEAD pointed at, or null (non-git or empty repository).'),
  branch: z.string().nullable().describe('Current branch, or null.'),
  totals: z
    .object({
      files: z.number().int().describe('Files listed (tracked plus untracked-not-ignored for git).'),
      lines: z.number().int().describe('Text lines over all readable text files.'),
      binaryFiles: z.number().int().describe('Files detected as binary (not line-counted, not parsed).'),
      symlinks: z.number().int().describe('Symbolic links (never followed).'),
      unreadableFiles: z.number().int().describe('Files that could not be read.'),
    })
    .describe('Counts over the whole repository.'),
  languages: z
    .array(z.object({ name: z.string().describe('Language name.'), files: z.number().int().describe('Files in it.'), lines: z.number().int().describe('Text lines in it.') }))
    .describe('Languages by file extension, most lines first.'),
  manifests: z
    .array(
      z.object({
        path: z.string().describe('Repo-relative path of the manifest.'),
        kind: z.string().describe('Manifest kind, e.g. `npm`, `python`, `go`, `cargo`, `maven`.'),
        name: z.string().optional().describe('Project name declared in the manifest, when it has one.'),
      }),
    )
    .describe('Build and package manifests found.'),
  modules: z.array(moduleSchema).describe('Top-level source modules with file and line counts.'),
  entryPoints: z
    .array(z.object({ path: z.string().describe('Repo-relative path.'), reason: z.string().describe('Why this file is an entry point.') }))
    .describe('Entry points: declared in manifests or found by convention.'),
  testDirs: z.array(z.string()).describe('Test folders (trailing slash).'),
  importGraph: z
    .array(
      z.object({
        from: z.string().describe('Importing module name.'),
        to: z.string().describe('Imported module name.'),
        imports: z.number().int().describe('Number of import statements from `from` to `to`.'),
      }),
    )
    .describe('Imports between modules (edges inside one module are left out).'),
  taskType: taskTypeSchema,
  taskTypeReason: z.string().describe('The words in the request that decided the task type.'),
  affectedModules: z.array(z.string()).describe('Modules the request names or clearly refers to; every source module when it names none.'),
  coordinationPoints: z
    .array(
      z.object({
        modules: z.array(z.string()).describe('The two modules that must agree.'),
        description: z.string().describe('What must be coordinated.'),
      }),
    )
    .describe('Affected module pairs that import each other: changes there need an agreed contract.'),
  scopeStrategy: z
    .object({
      summary: z.string().describe('One line, e.g. "Multi-wave: 3 independent modules in wave 1, integration in wave 2".'),
      waves: z.array(z.array(z.string())).describe('Suggested module groups per wave: modules in one group can change in parallel.'),
    })
    .describe('Which affected modules can be changed in parallel and which must wait.'),
  warnings: z.array(z.string()).describe('Things the scan skipped or could not read.'),
  markdownPath: z.string().describe('Repo-relative path of the saved ANALYSIS markdown.'),
});
export type AnalysisReport = z.infer<typeof analysisReportSchema>;
