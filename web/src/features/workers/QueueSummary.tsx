import type { QueueStats } from '@sluice/api';
import { formatDuration } from '../../format.ts';

/** How many block runs wait and run, and how long the oldest has waited. */
export function QueueSummary({ queue }: { queue: QueueStats }) {
  return (
    <div className="dash-tiles" data-testid="queue-summary">
      <div className="dash-tile dash-tile-queued">
        <span className="dash-tile-number" data-testid="queue-waiting">{queue.queued}</span>
        <span className="dash-tile-label">block runs waiting</span>
      </div>
      <div className="dash-tile dash-tile-running">
        <span className="dash-tile-number" data-testid="queue-running">{queue.running}</span>
        <span className="dash-tile-label">running</span>
      </div>
      <div className="dash-tile">
        <span className="dash-tile-number" data-testid="queue-wait">{queue.queued ? formatDuration(queue.oldestWaitSeconds * 1000) : '—'}</span>
        <span className="dash-tile-label">oldest wait</span>
      </div>
    </div>
  );
}
