/** Languages by file extension. `source` marks programming languages (as opposed to markup, data and config). */
interface LanguageEntry {
  name: string;
  source: boolean;
  extensions: readonly string[];
}

const languageEntries: readonly LanguageEntry[] = [
  { name: 'TypeScript', source: true, extensions: ['ts', 'tsx', 'mts', 'cts'] },
  { name: 'JavaScript', source: true, extensions: ['js', 'jsx', 'mjs', 'cjs'] },
  { name: 'Python', source: true, extensions: ['py', 'pyi', 'pyw'] },
  { name: 'Go', source: true, extensions: ['go'] },
  { name: 'Rust', source: true, extensions: ['rs'] },
  { name: 'Java', source: true, extensions: ['java'] },
  { name: 'Kotlin', source: true, extensions: ['kt', 'kts'] },
  { name: 'Scala', source: true, extensions: ['scala', 'sc'] },
  { name: 'Groovy', source: true, extensions: ['groovy', 'gradle'] },
  { name: 'C', source: true, extensions: ['c', 'h'] },
  { name: 'C++', source: true, extensions: ['cc', 'cpp', 'cxx', 'c++', 'hpp', 'hh', 'hxx', 'h++', 'ipp'] },
  { name: 'C#', source: true, extensions: ['cs', 'csx'] },
  { name: 'F#', source: true, extensions: ['fs', 'fsx', 'fsi'] },
  { name: 'Objective-C', source: true, extensions: ['m', 'mm'] },
  { name: 'Ruby', source: true, extensions: ['rb', 'rake', 'gemspec'] },
  { name: 'PHP', source: true, extensions: ['php'] },
  { name: 'Swift', source: true, extensions: ['swift'] },
  { name: 'Dart', source: true, extensions: ['dart'] },
  { name: 'Lua', source: true, extensions: ['lua'] },
  { name: 'Perl', source: true, extensions: ['pl', 'pm'] },
  { name: 'R', source: true, extensions: ['r'] },
  { name: 'Julia', source: true, extensions: ['jl'] },
  { name: 'Elixir', source: true, extensions: ['ex', 'exs'] },
  { name: 'Erlang', source: true, extensions: ['erl', 'hrl'] },
  { name: 'Haskell', source: true, extensions: ['hs'] },
  { name: 'OCaml', source: true, extensions: ['ml', 'mli'] },
  { name: 'Clojure', source: true, extensions: ['clj', 'cljs', 'cljc'] },
  { name: 'Zig', source: true, extensions: ['zig'] },
  { name: 'Nim', source: true, extensions: ['nim'] },
  { name: 'Solidity', source: true, extensions: ['sol'] },
  { name: 'Shell', source: true, extensions: ['sh', 'bash', 'zsh', 'fish'] },
  { name: 'PowerShell', source: true, extensions: ['ps1', 'psm1'] },
  { name: 'Vue', source: true, extensions: ['vue'] },
  { name: 'Svelte', source: true, extensions: ['svelte'] },
  { name: 'Astro', source: true, extensions: ['astro'] },
  { name: 'HTML', source: false, extensions: ['html', 'htm'] },
  { name: 'CSS', source: false, extensions: ['css'] },
  { name: 'SCSS', source: false, extensions: ['scss', 'sass'] },
  { name: 'Less', source: false, extensions: ['less'] },
  { name: 'Markdown', source: false, extensions: ['md', 'mdx', 'markdown'] },
  { name: 'reStructuredText', source: false, extensions: ['rst'] },
  { name: 'JSON', source: false, extensions: ['json', 'jsonc', 'json5'] },
  { name: 'YAML', source: false, extensions: ['yml', 'yaml'] },
  { name: 'TOML', source: false, extensions: ['toml'] },
  { name: 'XML', source: false, extensions: ['xml', 'xsd', 'xsl'] },
  { name: 'SQL', source: false, extensions: ['sql'] },
  { name: 'GraphQL', source: false, extensions: ['graphql', 'gql'] },
  { name: 'Protocol Buffers', source: false, extensions: ['proto'] },
  { name: 'Terraform', source: false, extensions: ['tf', 'tfvars', 'hcl'] },
  { name: 'CMake', source: false, extensions: ['cmake'] },
];

/** Files recognised by their whole name. */
const languageByFileName: ReadonlyMap<string, string> = new Map([
  ['dockerfile', 'Dockerfile'],
  ['makefile', 'Makefile'],
  ['gnumakefile', 'Makefile'],
  ['cmakelists.txt', 'CMake'],
  ['gemfile', 'Ruby'],
  ['rakefile', 'Ruby'],
]);

const languageByExtension = new Map<string, string>();
const sourceLanguages = new Set<string>();
for (const entry of languageEntries) {
  for (const extension of entry.extensions) languageByExtension.set(extension, entry.name);
  if (entry.source) sourceLanguages.add(entry.name);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The language of a file by its name, or undefined for unknown kinds (images, lock files...). */
export function languageOf(path: string): string | undefined {
  const name = baseName(path).toLowerCase();
  const byName = languageByFileName.get(name);
  if (byName) return byName;
  if (name.startsWith('dockerfile.') || name.endsWith('.dockerfile')) return 'Dockerfile';
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return languageByExtension.get(name.slice(dot + 1));
}

export function isSourceLanguage(language: string | undefined): boolean {
  return language !== undefined && sourceLanguages.has(language);
}
