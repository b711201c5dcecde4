import { SluiceError } from '../core/errors.ts';

/** A mistake in how a command was called: exit code 2. */
export class UsageError extends SluiceError {
  constructor(message: string) {
    super('cli.usage', message, { kind: 'usage' });
    this.name = 'UsageError';
  }
}
