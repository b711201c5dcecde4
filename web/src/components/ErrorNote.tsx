import type { ErrorLocation } from '@sluice/api';
import { href } from '../router.ts';

interface Failure {
  readonly message: string;
  readonly code?: string;
  readonly location?: ErrorLocation;
  readonly body?: { readonly location?: ErrorLocation };
  /** The frames of the user's own code, innermost first. */
  readonly userStack?: string | null | undefined;
}

/**
 * An error with where it happened: block, file and line when known. People
 * read the sentence; the internal code (`pipeline.bad_name`) is kept out of
 * sight, on hover and in the markup, for bug reports.
 */
/** The editor at the failing block, with the line marked: `#/pipelines/P?block=B&line=N`. */
function editorLink(pipeline: string, where: ErrorLocation): string {
  const query = new URLSearchParams({ block: where.block ?? '', ...(where.line !== undefined ? { line: String(where.line) } : {}) });
  return href(`/pipelines/${encodeURIComponent(pipeline)}?${query.toString()}`);
}

/** With `pipeline`, a located error links to its file and line in the editor. */
export function ErrorNote({ error, pipeline, testId = 'error' }: { error: Failure | undefined | null; pipeline?: string | undefined; testId?: string }) {
  if (!error) return null;
  const where = error.location ?? error.body?.location;
  const place = where?.file && <code>{where.file}{where.line !== undefined ? `:${where.line}` : ''}{where.column !== undefined ? `:${where.column}` : ''}</code>;
  const message = error.message.trim() && error.message.trim() !== error.code ? error.message : 'Something went wrong, and the server did not say what.';
  return (
    <div className="error-note" role="alert" data-testid={testId} data-code={error.code} title={error.code ? `error code: ${error.code}` : undefined}>
      {where && (where.block || where.file) && (
        <div className="error-where" data-testid="error-location">
          {where.block && <span>block <b>{where.block}</b></span>}
          {where.file && (
            <span>
              {' '}
              in{' '}
              {pipeline && where.block ? (
                <a href={editorLink(pipeline, where)} data-testid="error-file-link" title="Open in the editor">{place}</a>
              ) : (
                place
              )}
            </span>
          )}
        </div>
      )}
      <pre className="error-message">{message}</pre>
      {error.userStack && (
        <details className="error-stack" open>
          <summary>Stack (your code)</summary>
          <pre data-testid="error-stack">{error.userStack}</pre>
        </details>
      )}
    </div>
  );
}
