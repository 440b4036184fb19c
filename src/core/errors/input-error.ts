import { ApError } from './ap-error.js';

export interface InputProblem {
  /** Objective id (or list position such as `objectives[3]`) the problem belongs to, if any. */
  objective?: string;
  /** Field path, e.g. `scopeTouch[1]`. */
  field?: string;
  /** What is wrong. */
  message: string;
  /** How to fix it. */
  fix: string;
}

export function formatProblem(problem: InputProblem): string {
  const where = [problem.objective && `objective "${problem.objective}"`, problem.field && `field ${problem.field}`]
    .filter(Boolean)
    .join(', ');
  return `${where ? `${where}: ` : ''}${problem.message} Fix: ${problem.fix}`;
}

/** Bad input from the caller. Carries every problem found, so they can all be fixed at once. */
export class InputError extends ApError {
  override readonly name = 'InputError';
  readonly problems: readonly InputProblem[];

  constructor(problems: InputProblem[], options?: { cause?: unknown }) {
    const lines = problems.map((problem) => formatProblem(problem));
    const message =
      lines.length === 1 ? lines[0]! : `${lines.length} problems:\n${lines.map((line) => `- ${line}`).join('\n')}`;
    super('invalid_input', message, options);
    this.problems = problems;
  }
}
