import type { SchedulePreview } from '@sluice/api';
import { formatTime } from '../../format.ts';

/** What the server says saving a schedule would run at once. */
export type CatchupPreview = Omit<SchedulePreview, 'next_runs'>;

/**
 * Asks before a schedule is saved whose intervals have already ended: the
 * scheduler would run them at once (yesterday's, for a daily schedule).
 */
export function CatchupChoice({ pipeline, preview, onRun, onSkip, onCancel }: { pipeline: string; preview: CatchupPreview; onRun: () => void; onSkip: () => void; onCancel: () => void }) {
  const { due } = preview;
  const dates = due.length > 3 ? `${due[0]!.logical_date} … ${due[due.length - 1]!.logical_date}` : due.map((d) => d.logical_date).join(', ');
  return (
    <div className="catchup-choice" role="alertdialog" data-testid={`catchup-preview-${pipeline}`}>
      <p>
        Saving starts {due.length === 1 ? 'a run' : `${due.length} runs`} at once, for logical date{due.length === 1 ? '' : 's'} <b>{dates}</b>:{' '}
        {preview.catchup ? 'catchup is on, so every interval since the start date that has ended is run.' : `the interval that ended ${formatTime(due[due.length - 1]!.end)} is owed.`}
      </p>
      <div className="form-actions">
        <button type="button" className="button small" onClick={onCancel}>Cancel</button>
        {preview.start_from_next && (
          <button type="button" className="button small" onClick={onSkip} title="Sets start_date to the start of the interval under way" data-testid={`catchup-skip-${pipeline}`}>
            Save, first run {formatTime(preview.next_run)}
          </button>
        )}
        <button type="button" className="button small primary" onClick={onRun} data-testid={`catchup-run-${pipeline}`}>
          Save and run {due.length === 1 ? 'it' : `all ${due.length}`} now
        </button>
      </div>
    </div>
  );
}
