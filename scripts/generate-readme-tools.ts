import { readFileSync, writeFileSync } from 'node:fs';
import { renderToolReference, replaceToolReference } from '../src/server/tool-reference.js';
import { allTools } from '../src/tools/index.js';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = replaceToolReference(before, renderToolReference(allTools));
if (after !== before) writeFileSync(path, after);
process.stderr.write(after === before ? 'README.md tool reference is up to date.\n' : 'README.md tool reference regenerated.\n');
