import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Writes a document (analysis, plan, report) into the target repository, atomically: a reader
 * never sees half a file. Returns the repo-relative path.
 */
export async function writeRepoDocument(repo: string, relativePath: string, content: string): Promise<string> {
  const target = join(repo, relativePath);
  await mkdir(dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  await writeFile(temporary, content, 'utf8');
  await rename(temporary, target);
  return relativePath;
}
