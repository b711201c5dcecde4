import type { ErrorLocation } from '../api/types.ts';

interface Failure {
  readonly message: string;
  readonly code?: string;
  readonly location?: ErrorLocation;
  readonly body?: { readonly location?: ErrorLocation };
}

/** An error with where it happened: block, file and line when known. */
export function ErrorNote({ error, testId = 'error' }: { error: Failure | undefined | null; testId?: string }) {
  if (!error) return null;
  const where = error.location ?? error.body?.location;
  return (
    <div className="error-note" role="alert" data-testid={testId}>
      {where && (where.block || where.file) && (
        <div className="error-where" data-testid="error-location">
          {where.block && <span>block <b>{where.block}</b></span>}
          {where.file && (
            <span>
              {' '}
              in <code>{where.file}{where.line !== undefined ? `:${where.line}` : ''}{where.column !== undefined ? `:${where.column}` : ''}</code>
            </span>
          )}
        </div>
      )}
      <pre className="error-message">{error.message}</pre>
      {error.code && <div className="error-code">{error.code}</div>}
    </div>
  );
}
