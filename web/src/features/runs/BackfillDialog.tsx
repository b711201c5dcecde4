import { useState, type FormEvent } from 'react';
import { call, query } from '../../api/client.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { Modal } from '../../components/Modal.tsx';
import { navigate } from '../../router.ts';

/** Queues one run per interval of a date range, then shows those runs. */
export function BackfillDialog({ pipelines, defaultPipeline, onClose }: { pipelines: readonly string[]; defaultPipeline: string; onClose: () => void }) {
  const [pipeline, setPipeline] = useState(defaultPipeline || pipelines[0] || '');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [error, setError] = useState<Error>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    call('POST /api/pipelines/:name/backfills', { params: { name: pipeline }, body: { start, end } }).then(() => {
      onClose();
      navigate(`/runs${query({ pipeline, trigger: 'backfill' })}`);
    }, setError);
  };
  return (
    <Modal title="Backfill" onClose={onClose} testId="backfill-dialog">
      <form onSubmit={submit} className="form">
        <label className="field">
          <span>Pipeline</span>
          <select value={pipeline} onChange={(e) => setPipeline(e.target.value)} data-testid="backfill-pipeline">
            {pipelines.map((p) => <option key={p} value={p}>{p}</option>)}
          </select>
        </label>
        <div className="form-grid">
          <label className="field"><span>From</span><input type="date" value={start} onChange={(e) => setStart(e.target.value)} data-testid="backfill-start" /></label>
          <label className="field"><span>To</span><input type="date" value={end} onChange={(e) => setEnd(e.target.value)} data-testid="backfill-end" /></label>
        </div>
        <p className="muted small">One run per interval of the pipeline's schedule; runs already done for a date are kept.</p>
        <ErrorNote error={error} />
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="button primary" disabled={!pipeline || !start || !end} data-testid="backfill-submit">Start backfill</button>
        </div>
      </form>
    </Modal>
  );
}
