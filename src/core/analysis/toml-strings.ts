const sectionHeader = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$/;
const stringEntry = /^\s*(?:"([^"]+)"|'([^']+)'|([\w.-]+))\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')/;

/**
 * The string values of a TOML file by section, which is all the manifests need (names and
 * script targets). Not a TOML parser: arrays, tables inline and multi-line strings are skipped.
 */
export function tomlStringsBySection(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current = new Map<string, string>();
  sections.set('', current);
  for (const line of text.split(/\r?\n/)) {
    const header = sectionHeader.exec(line);
    if (header) {
      const name = header[1]!.replace(/\s+/g, '');
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      continue;
    }
    const entry = stringEntry.exec(line);
    if (entry) current.set(entry[1] ?? entry[2] ?? entry[3]!, entry[4] ?? entry[5] ?? '');
  }
  return sections;
}
