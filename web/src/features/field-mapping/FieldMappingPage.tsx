import { useState } from 'react';
import { call, endpoint } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { navigate, routeQuery, withQuery } from '../../router.ts';
import { useCan } from '../users/session-context.ts';
import type { MapSuggestAnswer, MappingDecisions } from './field-mapping-types.ts';
import { SuggestionTable } from './SuggestionTable.tsx';
import { WriteMappingBlock } from './WriteMappingBlock.tsx';
import './field-mapping.css';

/**
 * Map fields: pick a source and a target (block outputs, connection tables,
 * files), see how each source column maps onto the target's with a
 * confidence and a reason, accept, reject or change each, and write the
 * mapping as a SQL block.
 */
export default function FieldMappingPage({ route }: { route: string }) {
  const query = routeQuery(route);
  // Suggesting reads sample values of any source and writing adds a block: an editor's work (route-roles.ts).
  const canMap = useCan('editor');
  const [source, setSource] = useState(query.get('source') ?? '');
  const [target, setTarget] = useState(query.get('target') ?? '');
  const { data: sources } = useApi(endpoint('GET /api/map/sources'));
  const [answer, setAnswer] = useState<{ request: { source: string; target: string }; result: MapSuggestAnswer }>();
  const [decisions, setDecisions] = useState<MappingDecisions>(new Map());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const suggest = async () => {
    setBusy(true);
    setError(undefined);
    navigate(withQuery(route, { source, target }), { replace: true });
    try {
      const result = await call('POST /api/map/suggest', { body: { source, target } });
      setAnswer({ request: { source, target }, result });
      setDecisions(new Map(result.suggestions.map((s) => [s.source, s.target])));
    } catch (e) {
      setAnswer(undefined);
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  const options = sources ? [...sources.blocks, ...sources.files, ...sources.connections.map((c) => `${c}.`)] : [];
  return (
    <div className="page map-page" data-testid="map-page">
      <PageHeader title="Map fields" subtitle="How one table's columns map onto another's: by name, type and sample values" />
      {!canMap && <p className="muted" data-testid="map-needs-editor">Mapping fields needs the editor role: it reads sample values of the sources and writes a block.</p>}
      {canMap && (
      <form
        className="map-pick"
        onSubmit={(e) => {
          e.preventDefault();
          void suggest();
        }}
      >
        <label>
          Source <input list="map-sources" value={source} onChange={(e) => setSource(e.target.value)} placeholder="PIPELINE.BLOCK, CONNECTION.TABLE or a file" data-testid="map-source" />
        </label>
        <span className="map-arrow" aria-hidden="true">→</span>
        <label>
          Target <input list="map-sources" value={target} onChange={(e) => setTarget(e.target.value)} placeholder="PIPELINE.BLOCK, CONNECTION.TABLE or a file" data-testid="map-target" />
        </label>
        <datalist id="map-sources">
          {options.map((o) => (
            <option key={o} value={o} />
          ))}
        </datalist>
        <button type="submit" className="button primary" disabled={busy || !source || !target} data-testid="map-suggest">
          {busy ? 'Reading samples…' : 'Suggest'}
        </button>
      </form>
      )}
      <ErrorNote error={error} />
      {answer && (
        <>
          <p className="small muted" data-testid="map-summary">
            {answer.result.source.label} ({answer.result.source.columns.length} columns, values from {answer.result.source.sampledRows} rows) onto {answer.result.target.label} (
            {answer.result.target.columns.length} columns, values from {answer.result.target.sampledRows} rows)
          </p>
          <SuggestionTable
            suggestions={answer.result.suggestions}
            source={answer.result.source}
            target={answer.result.target}
            decisions={decisions}
            onDecide={(s, t) => setDecisions(new Map(decisions).set(s, t))}
          />
          <WriteMappingBlock key={`${answer.request.source}>${answer.request.target}`} source={answer.request.source} target={answer.request.target} decisions={decisions} />
        </>
      )}
    </div>
  );
}
