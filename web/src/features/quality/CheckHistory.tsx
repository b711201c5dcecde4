import { endpoint, enc } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { formatTime } from '../../format.ts';
import { href } from '../../router.ts';

/** One check's verdicts over its pipeline's recent runs, oldest to newest, each a link to its run. */
export function CheckHistory({ pipeline, block, check }: { pipeline: string; block: string; check: string }) {
  const { data, error } = useApi(endpoint('GET /api/pipelines/:name/blocks/:block/checks/:check/history', { params: { name: pipeline, block, check }, query: { limit: 30 } }));
  const history = [...(data?.history ?? [])].reverse();
  const failed = history.filter((h) => h.status === 'failed').length;
  return (
    <div className="check-history" data-testid={`check-history-${block}-${check}`}>
      <ErrorNote error={error} />
      <span className="muted small">last {history.length} runs: {history.length - failed} passed, {failed} failed</span>
      <span className="check-strip">
        {history.map((h) => (
          <a
            key={h.runId}
            href={href(`/runs/${enc(h.runId)}`)}
            className={`check-cell check-${h.status}`}
            title={`${formatTime(h.at)}: ${h.status} — ${h.message}`}
            data-status={h.status}
          />
        ))}
      </span>
    </div>
  );
}
