import { ApError } from './ap-error.js';

/** An id or path the caller named does not exist. The message says how to get a valid one. */
export class NotFoundError extends ApError {
  override readonly name = 'NotFoundError';
  readonly kind: string;
  readonly id: string;

  constructor(kind: string, id: string, hint: string) {
    super('not_found', `No ${kind} with id "${id}". ${hint}`);
    this.kind = kind;
    this.id = id;
  }
}
