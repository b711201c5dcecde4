import { useEffect, useState, type FormEvent } from 'react';
import { call, endpoint, enc } from '../../api/client.ts';
import type { VariableValue } from '@sluice/api';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { Modal } from '../../components/Modal.tsx';
import { navigate } from '../../router.ts';

/** Starts a run with variables (name=value lines) and an optional logical date, then opens it. */
export function RunDialog({ pipeline, defaults, onClose }: { pipeline: string; defaults?: Readonly<Record<string, VariableValue>>; onClose: () => void }) {
  const asText = (values: Readonly<Record<string, VariableValue>>) => Object.entries(values).map(([k, v]) => `${k}=${String(v)}`).join('\n');
  const [variables, setVariables] = useState(asText(defaults ?? {}));
  // Without the caller's defaults, start from the pipeline file's variables.
  const detail = useApi(defaults ? undefined : endpoint('GET /api/pipelines/:name', { params: { name: pipeline } })).data;
  useEffect(() => {
    if (detail) setVariables((current) => current || asText(detail.pipeline.variables));
  }, [detail]);
  const [logicalDate, setLogicalDate] = useState('');
  const [error, setError] = useState<Error>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const values: Record<string, string> = {};
    for (const line of variables.split('\n')) {
      const at = line.indexOf('=');
      if (at > 0) values[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
    call('POST /api/pipelines/:name/runs', { params: { name: pipeline }, body: { variables: values, ...(logicalDate ? { logical_date: logicalDate } : {}) } })
      .then(({ run_id }) => navigate(`/runs/${enc(run_id)}`), setError);
  };

  return (
    <Modal title={`Run ${pipeline}`} onClose={onClose} testId="run-dialog">
      <form onSubmit={submit} className="form">
        <label className="field">
          <span>Variables (one name=value a line)</span>
          <textarea rows={4} value={variables} onChange={(e) => setVariables(e.target.value)} data-testid="run-variables" spellCheck={false} />
        </label>
        <label className="field">
          <span>Logical date (optional)</span>
          <input type="date" value={logicalDate} onChange={(e) => setLogicalDate(e.target.value)} />
        </label>
        <ErrorNote error={error} />
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="button primary" data-testid="run-submit">Run</button>
        </div>
      </form>
    </Modal>
  );
}
