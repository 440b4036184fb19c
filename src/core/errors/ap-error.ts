/**
 * Base of every error the orchestrator raises on purpose. Its message is written for the
 * caller (often a model): what went wrong and what to do next. Anything else that is thrown
 * is an internal failure and is reported as such.
 */
export class ApError extends Error {
  override readonly name: string = 'ApError';
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
