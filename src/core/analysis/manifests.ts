import { baseName } from './languages.js';
import { manifestKindOf } from './manifest-kinds.js';
import { tomlStringsBySection } from './toml-strings.js';

export interface Manifest {
  path: string;
  kind: string;
  name?: string;
}

export interface PackageJsonFacts {
  path: string;
  folder: string;
  content: Record<string, unknown>;
}

export interface PythonScript {
  manifestPath: string;
  folder: string;
  /** The TOML table that declared it, e.g. `project.scripts`. */
  table: string;
  script: string;
  target: string;
}

export interface ManifestFacts {
  manifests: Manifest[];
  packageJsons: PackageJsonFacts[];
  pythonScripts: PythonScript[];
  goModules: { folder: string; modulePath: string }[];
  /** Folders holding a Python manifest: absolute imports in their code start there. */
  pythonFolders: string[];
  warnings: string[];
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function parseJsonObject(path: string, text: string, warnings: string[]): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    warnings.push(`${path}: not a JSON object, ignored`);
  } catch (error) {
    warnings.push(`${path}: malformed JSON (${(error as Error).message}), ignored`);
  }
  return undefined;
}

function stringField(record: Record<string, unknown> | undefined, field: string): string | undefined {
  const value = record?.[field];
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function pomArtifactId(text: string): string | undefined {
  // The first artifactId outside <parent> is the project's own.
  const withoutParent = text.replace(/<parent>[\s\S]*?<\/parent>/, '');
  return /<artifactId>\s*([^<\s]+)\s*<\/artifactId>/.exec(withoutParent)?.[1];
}

interface ParseContext {
  facts: ManifestFacts;
  path: string;
  text: string;
}

function nameFromText({ facts, path, text }: ParseContext): string | undefined {
  const name = baseName(path);
  const { warnings } = facts;
  switch (name) {
    case 'package.json': {
      const content = parseJsonObject(path, text, warnings);
      if (content) facts.packageJsons.push({ path, folder: folderOf(path), content });
      return stringField(content, 'name');
    }
    case 'composer.json':
      return stringField(parseJsonObject(path, text, warnings), 'name');
    case 'deno.json':
      return stringField(parseJsonObject(path, text, warnings), 'name');
    case 'pyproject.toml': {
      const sections = tomlStringsBySection(text);
      for (const table of ['project.scripts', 'tool.poetry.scripts']) {
        for (const [script, target] of sections.get(table) ?? []) {
          facts.pythonScripts.push({ manifestPath: path, folder: folderOf(path), table, script, target });
        }
      }
      return sections.get('project')?.get('name') ?? sections.get('tool.poetry')?.get('name');
    }
    case 'setup.cfg':
      return tomlStringsBySection(text).get('metadata')?.get('name') ?? /^\s*name\s*=\s*([^\s#]+)/m.exec(text)?.[1];
    case 'setup.py':
      return /\bname\s*=\s*['"]([^'"\n]+)['"]/.exec(text)?.[1];
    case 'go.mod': {
      const modulePath = /^\s*module\s+"?([^\s"]+)"?/m.exec(text)?.[1];
      if (modulePath) facts.goModules.push({ folder: folderOf(path), modulePath });
      return modulePath;
    }
    case 'Cargo.toml':
      return tomlStringsBySection(text).get('package')?.get('name');
    case 'pom.xml':
      return pomArtifactId(text);
    case 'CMakeLists.txt':
      return /\bproject\s*\(\s*([\w.+-]+)/i.exec(text)?.[1];
    default:
      return undefined;
  }
}

/** Reads the manifests found in the listing. A broken manifest is a warning, never a failure. */
export function readManifests(paths: readonly string[], texts: ReadonlyMap<string, string>): ManifestFacts {
  const facts: ManifestFacts = { manifests: [], packageJsons: [], pythonScripts: [], goModules: [], pythonFolders: [], warnings: [] };
  const pythonFolders = new Set<string>();
  for (const path of paths) {
    const kind = manifestKindOf(path);
    if (!kind) continue;
    if (kind === 'python') pythonFolders.add(folderOf(path));
    if (path.endsWith('.csproj')) {
      facts.manifests.push({ path, kind, name: baseName(path).slice(0, -'.csproj'.length) });
      continue;
    }
    const text = texts.get(path);
    const name = text === undefined ? undefined : nameFromText({ facts, path, text });
    facts.manifests.push(name ? { path, kind, name } : { path, kind });
  }
  facts.pythonFolders = [...pythonFolders];
  return facts;
}
