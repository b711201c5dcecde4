import { enc, endpoint } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { formatRelative, formatTime } from '../../format.ts';
import { href } from '../../router.ts';
import { FailedRuns } from './FailedRuns.tsx';
import { NextRuns } from './NextRuns.tsx';
import { TwoWritersBanner } from '../lineage/TwoWritersBanner.tsx';

const tiles = [
  { status: 'failed', label: 'failed' },
  { status: 'succeeded', label: 'succeeded' },
  { status: 'running', label: 'running' },
  { status: 'queued', label: 'queued' },
] as const;

/** At a glance: what failed in the last 24 hours, and what runs next. */
export default function DashboardPage() {
  const { data, error } = useApi(endpoint('GET /api/dashboard'), { pollMs: 5000 });
  return (
    <div className="page" data-testid="dashboard-page">
      <PageHeader title="Dashboard" subtitle={data ? `Runs since ${formatTime(data.since)} (${formatRelative(data.since)})` : 'The last 24 hours'} />
      <ErrorNote error={error} />
      <TwoWritersBanner />
      {data && (
        <>
          <div className="dash-tiles">
            {tiles.map((t) => (
              <a key={t.status} className={`dash-tile dash-tile-${t.status}`} href={href(`/runs?status=${t.status}`)} data-testid={`dash-count-${t.status}`}>
                <span className="dash-tile-number">{data.counts[t.status] ?? 0}</span>
                <span className="dash-tile-label">{t.label}</span>
              </a>
            ))}
          </div>
          <div className="dash-columns">
            <section>
              <h2 className="section-title">Failed in the last 24 hours</h2>
              <FailedRuns failed={data.failed} />
            </section>
            <section>
              <h2 className="section-title">Next runs</h2>
              <NextRuns next={data.next} />
              {data.broken.map((b) => (
                <p key={b.pipeline} className="small text-error" data-testid="dash-broken">
                  <a href={href(`/pipelines/${enc(b.pipeline)}`)}>{b.pipeline}</a>: {b.error.message}
                </p>
              ))}
            </section>
          </div>
        </>
      )}
    </div>
  );
}
