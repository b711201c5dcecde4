import type { BlockRunStatus, RunStatus } from '@sluice/api';

/**
 * A run or block run status as a coloured pill; colours live in the CSS.
 * Rejected rows are part of the status: a success with rejects reads
 * "succeeded with 3 rejected rows" in the warning colour, never as a plain success.
 */
export function StatusBadge({ status, rejected }: { status: RunStatus | BlockRunStatus | undefined | null; rejected?: number | undefined }) {
  if (!status) return <span className="badge badge-none">never run</span>;
  const withRejects = Boolean(rejected);
  return (
    <span className={`badge badge-${status}${withRejects ? ' badge-rejects' : ''}`} data-testid="status-badge" data-status={status} data-rejected={rejected ?? 0}>
      {status}
      {withRejects && ` with ${rejected!.toLocaleString('en-US')} rejected row${rejected === 1 ? '' : 's'}`}
    </span>
  );
}
