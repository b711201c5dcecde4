import { useState } from 'react';
import { endpoint } from '../../api/client.ts';
import type { CheckResultRecord, Masked } from '@sluice/api';
import { MaskedBadge } from '../../components/MaskedBadge.tsx';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { formatCount } from '../../format.ts';
import { CheckHistory } from './CheckHistory.tsx';

/**
 * What the checks of a run found, one line per check: block, check, severity,
 * verdict, failing rows and a sample failing row. A check's name opens its
 * pass/fail history across runs. Nothing shows for a run without checks.
 */
export function CheckResults({ runId, finished }: { runId: string; finished: boolean }) {
  const { data, error } = useApi(endpoint('GET /api/runs/:id/checks', { params: { id: runId } }), finished ? {} : { pollMs: 2000 });
  const [open, setOpen] = useState<string>();
  const checks = data?.checks ?? [];
  if (!checks.length && !error) return null;
  return (
    <>
      <h3 className="section-title">Checks</h3>
      <ErrorNote error={error} />
      <div className="table-scroll">
        <table className="table dense checks" data-testid="check-results">
          <thead>
            <tr><th>Block</th><th>Check</th><th>Severity</th><th>Result</th><th className="num">Failing rows</th><th>Sample</th></tr>
          </thead>
          <tbody>
            {checks.map((check) => {
              const key = `${check.block}/${check.name}`;
              return (
                <CheckRow key={key} check={check} open={open === key} onToggle={() => setOpen(open === key ? undefined : key)} />
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

function CheckRow({ check, open, onToggle }: { check: Masked<CheckResultRecord>; open: boolean; onToggle: () => void }) {
  const verdict = check.status === 'passed' ? 'passed' : check.severity === 'warn' ? 'warned' : check.severity === 'quarantine' ? 'quarantined' : 'failed';
  return (
    <>
      <tr data-testid={`check-${check.block}-${check.name}`} data-status={verdict}>
        <td>{check.block}</td>
        <td>
          <button type="button" className="link" onClick={onToggle} title="Show this check's history" aria-expanded={open}>{check.name}</button>
        </td>
        <td>{check.severity}</td>
        <td title={check.message}>
          <span className={`badge check-${verdict}`}>{verdict}</span> <span className="muted">{check.message}</span>
        </td>
        <td className="num">{check.failingRows === undefined ? '' : formatCount(check.failingRows)}</td>
        <td className="mono" title={check.sample ? JSON.stringify(check.sample, null, 1) : undefined}>{check.sample?.[0] ? JSON.stringify(check.sample[0]) : ''}{check.masked?.map((column) => <MaskedBadge key={column} column={column} />)}</td>
      </tr>
      {open && (
        <tr>
          <td colSpan={6}><CheckHistory pipeline={check.pipeline} block={check.block} check={check.name} /></td>
        </tr>
      )}
    </>
  );
}
