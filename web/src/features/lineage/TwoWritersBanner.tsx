import { enc } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { href } from '../../router.ts';
import type { LineageData } from './lineage-types.ts';
import './lineage.css';

/** Tables that more than one pipeline or block writes, each with a link to its lineage; nothing when there are none. */
export function TwoWritersBanner() {
  const { data } = useApi<LineageData>('/api/lineage');
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
