import { analyze } from './analyze.js';
import { approve } from './approve.js';
import { cancel } from './cancel.js';
import { execute } from './execute.js';
import { plan } from './plan.js';
import { report } from './report.js';
import { status } from './status.js';
import type { Tool } from './tool.js';

/** Every tool the server offers, in the order hosts list them. */
export const allTools: readonly Tool[] = [analyze, plan, approve, execute, status, cancel, report] as unknown as readonly Tool[];
