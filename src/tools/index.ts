import { analyze } from './analyze.js';
import { approve } from './approve.js';
import { plan } from './plan.js';
import type { Tool } from './tool.js';

/** Every tool the server offers, in the order hosts list them. */
export const allTools: readonly Tool[] = [analyze, plan, approve] as unknown as readonly Tool[];
