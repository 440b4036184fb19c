import { baseName } from './languages.js';

const kindByFileName: ReadonlyMap<string, string> = new Map([
  ['package.json', 'npm'],
  ['pyproject.toml', 'python'],
  ['setup.py', 'python'],
  ['setup.cfg', 'python'],
  ['requirements.txt', 'python'],
  ['go.mod', 'go'],
  ['Cargo.toml', 'cargo'],
  ['pom.xml', 'maven'],
  ['build.gradle', 'gradle'],
  ['build.gradle.kts', 'gradle'],
  ['Gemfile', 'ruby'],
  ['composer.json', 'php'],
  ['CMakeLists.txt', 'cmake'],
  ['Makefile', 'make'],
  ['makefile', 'make'],
  ['GNUmakefile', 'make'],
  ['Dockerfile', 'docker'],
  ['deno.json', 'deno'],
  ['deno.jsonc', 'deno'],
]);

/** Manifests whose text is read for a name, entry points or an import prefix. */
const parsedFileNames: ReadonlySet<string> = new Set([
  'package.json',
  'pyproject.toml',
  'setup.py',
  'setup.cfg',
  'go.mod',
  'Cargo.toml',
  'pom.xml',
  'composer.json',
  'CMakeLists.txt',
  'deno.json',
]);

export function manifestKindOf(path: string): string | undefined {
  const name = baseName(path);
  return kindByFileName.get(name) ?? (name.endsWith('.csproj') ? 'dotnet' : undefined);
}

export function isParsedManifest(path: string): boolean {
  return parsedFileNames.has(baseName(path));
}
