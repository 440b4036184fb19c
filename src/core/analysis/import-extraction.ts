export type ImportDialect = 'script' | 'python' | 'go';

/**
 * One import statement as written: its specifier, or the specifiers it may refer to (Python's
 * `from . import a, b` gives `.a`, `.b` and the bare `.`, used only when neither resolves).
 * A plain string for the common case: a large repository has hundreds of thousands.
 */
export type RawImport = string | readonly string[];

const dialectByExtension: ReadonlyMap<string, ImportDialect> = new Map([
  ...['ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs', 'vue', 'svelte', 'astro'].map((extension) => [extension, 'script'] as const),
  ['py', 'python'],
  ['pyi', 'python'],
  ['go', 'go'],
]);

export function importDialectOf(path: string): ImportDialect | undefined {
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < path.lastIndexOf('/')) return undefined;
  return dialectByExtension.get(path.slice(dot + 1).toLowerCase());
}

// Regexes, not parsers: fast and good enough for a module-level graph. Every repetition is
// bounded or anchored so a minified megabyte cannot make them backtrack for long.
const scriptImport = /(?<![\w$.])(?:from|import|require)\s{0,200}\(?\s{0,200}(['"])([^'"\n\r]{1,500})\1/g;
const pythonFrom = /^[ \t]*from[ \t]+(\.*)([A-Za-z_][\w.]*)?[ \t]+import[ \t]*\(?([^\n#)]*)/gm;
const pythonImport = /^[ \t]*import[ \t]+([A-Za-z_][\w., \t]*)/gm;
const goBlock = /\bimport[ \t]*\(([^)]{0,20000})\)/g;
const goQuoted = /"([^"\n]+)"/g;
const goSingle = /\bimport[ \t]+(?:[\w.]+[ \t]+)?"([^"\n]+)"/g;

function importedNames(list: string): string[] {
  return list
    .split(',')
    .map((part) => part.trim().split(/\s+/)[0] ?? '')
    .filter((name) => /^[A-Za-z_][\w.]*$/.test(name));
}

function pythonImports(text: string): RawImport[] {
  const imports: RawImport[] = [];
  for (const match of text.matchAll(pythonFrom)) {
    const dots = match[1] ?? '';
    const moduleName = match[2];
    if (moduleName) imports.push(dots + moduleName);
    else if (dots) imports.push([...importedNames(match[3] ?? '').map((name) => dots + name), dots]);
  }
  for (const match of text.matchAll(pythonImport)) {
    for (const name of importedNames(match[1] ?? '')) imports.push(name);
  }
  return imports;
}

function goImports(text: string): RawImport[] {
  const imports: RawImport[] = [];
  for (const block of text.matchAll(goBlock)) {
    for (const quoted of (block[1] ?? '').matchAll(goQuoted)) imports.push(quoted[1]!);
  }
  for (const match of text.matchAll(goSingle)) imports.push(match[1]!);
  return imports;
}

/** The import statements of one file's text. */
export function extractImports(dialect: ImportDialect, text: string): RawImport[] {
  if (dialect === 'python') return pythonImports(text);
  if (dialect === 'go') return goImports(text);
  const imports: RawImport[] = [];
  for (const match of text.matchAll(scriptImport)) imports.push(match[2]!);
  return imports;
}
