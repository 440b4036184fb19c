import { ApError } from './ap-error.js';

/** A configuration file or setting is wrong. Names the file, the field and the fix. */
export class ConfigError extends ApError {
  override readonly name = 'ConfigError';
  readonly file: string;
  readonly field: string;

  constructor(file: string, field: string, problem: string, fix: string) {
    super('invalid_config', `${file}: ${field ? `field ${field}: ` : ''}${problem} Fix: ${fix}`);
    this.file = file;
    this.field = field;
  }
}
