import type { StoredOutput } from '../data-plane/data-plane.ts';
import { SluiceError, type SluiceErrorOptions } from '../errors.ts';

/**
 * A block that failed yet produced a table worth reading: a test's failing
 * rows. The run records the table with the failure, so the CLI's preview and
 * the UI show exactly the rows that failed it.
 */
export class FailureWithOutput extends SluiceError {
  readonly output: StoredOutput;

  constructor(code: string, message: string, output: StoredOutput, options: SluiceErrorOptions = {}) {
    super(code, message, options);
    this.output = output;
  }
}
