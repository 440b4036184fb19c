import type { InputProblem } from '../errors/input-error.js';

export interface PlanProblem extends InputProblem {
  /** Errors stop the plan; warnings are reported with it. */
  severity: 'error' | 'warning';
}

/** Also usable in git branch names; the planner rejects `..` and a `.lock` ending on top. */
export const objectiveIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
