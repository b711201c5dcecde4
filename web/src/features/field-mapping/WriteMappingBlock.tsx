import { useState } from 'react';
import { call } from '../../api/client.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { href } from '../../router.ts';
import { defaultBlockFile, doubledTargets, type MapBlockWritten, type MappingDecisions } from './field-mapping-types.ts';

/** Writes the accepted mapping as a SQL block and adds it to the pipeline. */
export function WriteMappingBlock({ source, target, decisions }: { source: string; target: string; decisions: MappingDecisions }) {
  const [file, setFile] = useState(defaultBlockFile(source));
  const [pipeline, setPipeline] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [written, setWritten] = useState<MapBlockWritten>();
  const pairs = [...decisions].filter((d): d is [string, string] => d[1] !== null).map(([s, t]) => ({ source: s, target: t }));
  const doubled = doubledTargets(decisions);
  const write = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setWritten(await call('POST /api/map/blocks', { body: { source, target, pairs, file, ...(pipeline ? { pipeline } : {}) } }));
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="map-write" data-testid="map-write">
      <h2>Write the mapping as a block</h2>
      <p className="small muted">
        A SQL block selecting each accepted source column under its target name; target columns with no source are written as NULL, so the output has the target's shape.
      </p>
      <div className="map-write-fields">
        <label>
          File <input value={file} onChange={(e) => setFile(e.target.value)} data-testid="map-file" />
        </label>
        <label>
          Pipeline <input value={pipeline} placeholder="the source block's" onChange={(e) => setPipeline(e.target.value)} data-testid="map-pipeline" />
        </label>
        <button type="button" className="button primary" disabled={busy || !pairs.length || doubled.size > 0} onClick={() => void write()} data-testid="map-write-button">
          Write block ({pairs.length} column{pairs.length === 1 ? '' : 's'})
        </button>
      </div>
      <ErrorNote error={error} />
      {written && (
        <p data-testid="map-written">
          Wrote <code>{written.file}</code> and added block <code>{written.block}</code> to{' '}
          <a href={href(`/pipelines/${encodeURIComponent(written.pipeline)}?block=${encodeURIComponent(written.block)}`)}>{written.pipeline}</a>.
        </p>
      )}
    </section>
  );
}
