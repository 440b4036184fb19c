import type { InputProblem } from '../errors/input-error.js';

export interface PlanProblem extends InputProblem {
  /** Errors stop the plan; warnings are reported with it. */
  severity: 'error' | 'warning';
}

export const objectiveIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
