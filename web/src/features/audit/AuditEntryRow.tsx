import { useState } from 'react';
import type { AuditEntry } from '@sluice/api';
import { DiffView } from '../git/DiffView.tsx';

/** One audit entry; its detail (a file's diff, a connection's masked settings) opens below it. */
export function AuditEntryRow({ entry }: { entry: AuditEntry }) {
  const [open, setOpen] = useState(false);
  const { diff, ...rest } = entry.detail;
  const hasDetail = typeof diff === 'string' || Object.keys(rest).length > 0;
  return (
    <>
      <tr data-testid="audit-row">
        <td className="nowrap" title={entry.at}>{entry.at.replace('T', ' ').slice(0, 19)}</td>
        <td className="mono">{entry.actor}{entry.address && <span className="muted small"> {entry.address}</span>}</td>
        <td className="mono">{entry.action}</td>
        <td className="mono">{entry.target}</td>
        <td>
          {hasDetail && (
            <button type="button" className="button small" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="audit-detail-toggle">
              {open ? 'Hide' : 'Show'}
            </button>
          )}
        </td>
      </tr>
      {open && (
        <tr data-testid="audit-detail">
          <td colSpan={5}>
            {Object.keys(rest).length > 0 && <pre className="mono small">{JSON.stringify(rest, null, 2)}</pre>}
            {typeof diff === 'string' && <DiffView diff={diff.replace(/\n$/, '')} />}
          </td>
        </tr>
      )}
    </>
  );
}
