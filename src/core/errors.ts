import path from 'node:path';

/**
 * Every failure Sluice reports is a SluiceError: a stable code a program can
 * branch on, a message a person can act on, where it happened, and whether a
 * retry can help. It survives JSON so it can cross worker threads and processes.
 */
export interface ErrorLocation {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly block?: string;
  readonly record?: number;
}

/** Why a failure happened decides the exit code: 2 for the user's setup, 1 for a run. */
export type ErrorKind = 'config' | 'usage' | 'run';

export interface SluiceErrorOptions {
  readonly cause?: unknown;
  readonly retryable?: boolean;
  readonly location?: ErrorLocation;
  readonly kind?: ErrorKind;
  /** The user's own stack (block code), kept verbatim for display. */
  readonly userStack?: string;
}

export class SluiceError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly location: ErrorLocation | undefined;
  readonly kind: ErrorKind;
  readonly userStack: string | undefined;

  constructor(code: string, message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SluiceError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.location = options.location;
    this.kind = options.kind ?? 'run';
    this.userStack = options.userStack;
  }

  /** `file:line:column` (or what of it is known) followed by the message; the file relative to `root` when given. */
  describe(root?: string): string {
    const file = this.location?.file;
    const where = formatLocation(root && file && path.isAbsolute(file) ? { ...this.location, file: path.relative(root, file) || file } : this.location);
    return where ? `${where}: ${this.message}` : this.message;
  }

  toJSON(): SerializedError {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      kind: this.kind,
      ...(this.location ? { location: this.location } : {}),
      ...(this.userStack ? { userStack: this.userStack } : {}),
    };
  }

  static fromJSON(data: SerializedError): SluiceError {
    return new SluiceError(data.code, data.message, {
      retryable: data.retryable,
      kind: data.kind,
      ...(data.location ? { location: data.location } : {}),
      ...(data.userStack ? { userStack: data.userStack } : {}),
    });
  }
}

export interface SerializedError {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly kind: ErrorKind;
  readonly location?: ErrorLocation;
  readonly userStack?: string;
}

/** A problem in the project's files or settings: exit code 2, never retried. */
export class ConfigError extends SluiceError {
  constructor(code: string, message: string, options: Omit<SluiceErrorOptions, 'kind'> = {}) {
    super(code, message, { ...options, kind: 'config' });
    this.name = 'ConfigError';
  }
}

/** A failure reaching or using an external system. */
export class ConnectorError extends SluiceError {
  constructor(code: string, message: string, options: Omit<SluiceErrorOptions, 'kind'> = {}) {
    super(code, message, { ...options, kind: 'run' });
    this.name = 'ConnectorError';
  }
}

export function formatLocation(location: ErrorLocation | undefined): string {
  if (!location) return '';
  const parts: string[] = [];
  if (location.file) {
    let place = location.file;
    if (location.line !== undefined) place += `:${location.line}`;
    if (location.line !== undefined && location.column !== undefined) place += `:${location.column}`;
    parts.push(place);
  }
  if (location.block) parts.push(`block '${location.block}'`);
  if (location.record !== undefined) parts.push(`record ${location.record}`);
  return parts.join(', ');
}

export function toSluiceError(error: unknown, fallbackCode = 'internal'): SluiceError {
  if (error instanceof SluiceError) return error;
  if (error instanceof Error) return new SluiceError(fallbackCode, error.message, { cause: error });
  return new SluiceError(fallbackCode, String(error));
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}

/** Something in a project's files that works but should change (an old spelling), with where it is. */
export interface ConfigWarning {
  readonly code: string;
  readonly message: string;
  readonly location: ErrorLocation;
}
