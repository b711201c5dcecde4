import type { BlockRunStatus, RunStatus } from '../api/types.ts';

/** A run or block run status as a coloured pill; colours live in the CSS. */
export function StatusBadge({ status }: { status: RunStatus | BlockRunStatus | undefined | null }) {
  if (!status) return <span className="badge badge-none">never run</span>;
  return (
    <span className={`badge badge-${status}`} data-testid="status-badge" data-status={status}>
      {status}
    </span>
  );
}
