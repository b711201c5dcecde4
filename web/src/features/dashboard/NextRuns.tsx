import { enc } from '../../api/client.ts';
import type { Dashboard } from '@sluice/api';
import { formatRelative, formatTime } from '../../format.ts';
import { href } from '../../router.ts';

/** What each trigger starts next: a schedule's next times, or the folder a file trigger watches. */
export function NextRuns({ next }: { next: Dashboard['next'] }) {
  if (!next.length) return <p className="dash-empty" data-testid="dash-no-next">No schedules or file triggers are on. <a href={href('/triggers')}>Set one up</a>.</p>;
  return (
    <table className="table dash-next" data-testid="dash-next">
      <thead><tr><th>Pipeline</th><th>Trigger</th><th>Next</th></tr></thead>
      <tbody>
        {next.map((t) => (
          <tr key={`${t.pipeline}-${t.kind}`} data-testid="dash-next-row" data-pipeline={t.pipeline} data-kind={t.kind}>
            <td><a href={href(`/pipelines/${enc(t.pipeline)}`)} className="strong">{t.pipeline}</a></td>
            {t.kind === 'schedule' ? (
              <>
                <td className="mono small">{t.schedule} <span className="muted">({t.timezone})</span></td>
                <td>
                  <span data-testid="dash-next-time" title={t.next[0]}>{formatTime(t.next[0])}</span> <span className="muted small">{formatRelative(t.next[0])}</span>
                  {t.next.length > 1 && <div className="muted small">then {t.next.slice(1).map((at) => formatTime(at)).join(', ')}</div>}
                </td>
              </>
            ) : (
              <>
                <td className="small">file arrives</td>
                <td className="mono small">when a file matches {t.path}</td>
              </>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
