import { enc } from '../../api/client.ts';
import type { Dashboard } from '@sluice/api';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { formatRelative } from '../../format.ts';
import { href } from '../../router.ts';

/** Each failed run with a link to it, and each failing block's error, linked to its run page and its file. */
export function FailedRuns({ failed }: { failed: Dashboard['failed'] }) {
  if (!failed.length) return <p className="dash-empty" data-testid="dash-no-failures">Nothing failed. ✓</p>;
  return (
    <ul className="dash-list">
      {failed.map(({ run, blocks }) => (
        <li key={run.id} className="dash-failure" data-testid="dash-failure" data-run-id={run.id}>
          <div className="dash-failure-head">
            <a href={href(`/runs/${enc(run.id)}`)} className="strong" data-testid="dash-failure-run">{run.pipeline}</a>
            <a href={href(`/runs/${enc(run.id)}`)} className="mono small run-id">{run.id}</a>
            <span className="muted small">{run.trigger} · {formatRelative(run.endedAt ?? run.startedAt)}</span>
          </div>
          {blocks.map((b) => (
            <div key={b.block} className="dash-failure-block">
              <a href={href(`/runs/${enc(run.id)}?block=${enc(b.block)}`)} className="small" data-testid="dash-failure-block">{b.block}</a>
              {b.error && <ErrorNote error={{ ...b.error, location: { block: b.block, ...b.error.location } }} pipeline={run.pipeline} testId="dash-block-error" />}
            </div>
          ))}
          {!blocks.length && run.error && <ErrorNote error={run.error} pipeline={run.pipeline} testId="dash-run-error" />}
        </li>
      ))}
    </ul>
  );
}
