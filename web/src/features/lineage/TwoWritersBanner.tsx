import { enc, endpoint } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { href } from '../../router.ts';
import './lineage.css';

/** Tables that more than one pipeline or block writes, each with a link to its lineage; nothing when there are none. */
export function TwoWritersBanner() {
  const { data } = useApi(endpoint('GET /api/lineage'));
  if (!data?.warnings.length) return null;
  return (
    <div className="lineage-warnings" role="status">
      {data.warnings.map((w) => (
        <div key={`${w.code}-${w.dataset}`} className="warning-note" data-testid="two-writers-banner" data-table={w.table}>
          <span>{w.message}</span>
          <a className="button small" href={href(`/lineage?table=${enc(w.dataset)}`)}>
            See lineage
          </a>
        </div>
      ))}
    </div>
  );
}
