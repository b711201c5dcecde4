import { useState } from 'react';
import { call, type RouteRequest } from '../../api/client.ts';
import { CatchupChoice, type CatchupPreview } from './CatchupChoice.tsx';
import { describeSchedule } from './describe-cron.ts';
import { NextRunTimes } from './NextRunTimes.tsx';
import { zoneListId } from './ZoneList.tsx';
import { draftChanged, draftFromSchedule, scheduleFromDraft, type ScheduleDraft } from './schedule-draft.ts';
import { useSchedulePreview } from './use-schedule-preview.ts';

/** A change to a pipeline's triggers, as `PUT /api/pipelines/:name/triggers` takes it. */
export type TriggersChange = NonNullable<RouteRequest<'PUT /api/pipelines/:name/triggers'>['body']>;

type SavedSchedule = Readonly<Record<string, unknown>> | null | undefined;

/**
 * A pipeline's schedule: cron or interval, time zone, start and end date and
 * catchup, with the schedule in plain words and its next five times as the
 * scheduler computes them. Saving asks first when it would start runs at once.
 */
export function ScheduleEditor({ pipeline, saved, put }: { pipeline: string; saved: SavedSchedule; put: (body: TriggersChange) => Promise<boolean> }) {
  // What the user typed, until saved; otherwise the file's schedule shows.
  const [edits, setEdits] = useState<ScheduleDraft>();
  const draft = edits ?? draftFromSchedule(saved);
  const edit = (change: Partial<ScheduleDraft>) => setEdits({ ...draft, ...change });
  const schedule = scheduleFromDraft(draft, saved);
  const { preview, problem } = useSchedulePreview(pipeline, schedule);
  const [confirm, setConfirm] = useState<{ schedule: Record<string, unknown>; answer: CatchupPreview }>();
  const [saveProblem, setSaveProblem] = useState<string>();

  const write = (next: Record<string, unknown> | null) =>
    void put({ schedule: next }).then((ok) => {
      if (ok) setEdits(undefined);
    });
  const save = () => {
    if (!schedule) return write(null);
    // A schedule whose intervals have already ended runs them at once: ask first.
    call('POST /api/pipelines/:name/triggers/preview', { params: { name: pipeline }, body: { schedule } }).then(
      (answer) => {
        setSaveProblem(undefined);
        if (answer.due.length) setConfirm({ schedule, answer });
        else write(schedule);
      },
      (failure: Error) => setSaveProblem(failure.message),
    );
  };
  const choose = (startFromNext: boolean) => {
    if (!confirm) return;
    const start = confirm.answer.start_from_next;
    setConfirm(undefined);
    write(startFromNext && start ? { ...confirm.schedule, start_date: start } : confirm.schedule);
  };
  const shownProblem = saveProblem ?? (schedule ? problem : undefined);
  const timezone = draft.timezone.trim() || 'UTC';

  return (
    <form className="sched-editor" onSubmit={(e) => { e.preventDefault(); save(); }}>
      <div className="field-row">
        <input className="mono" value={draft.text} placeholder="0 6 * * *, @daily, 30m" title="A cron expression, a macro such as @daily, or an interval such as 30m; empty: no schedule" onChange={(e) => edit({ text: e.target.value })} aria-label="Cron expression or interval" data-testid={`schedule-input-${pipeline}`} />
        <button type="submit" className="button small primary" disabled={!draftChanged(draft, saved)} data-testid={`schedule-save-${pipeline}`}>Save</button>
        {edits && <button type="button" className="button small" onClick={() => setEdits(undefined)}>Undo</button>}
      </div>
      {schedule && !shownProblem && (
        <p className="sched-words" data-testid={`schedule-words-${pipeline}`}>
          {describeSchedule(previewable(schedule))}
        </p>
      )}
      {shownProblem && <div className="text-error small" data-testid={`schedule-problem-${pipeline}`}>{shownProblem}</div>}
      {/* Right under the Save button, so the next run times arriving a moment later do not move it. */}
      {confirm && <CatchupChoice pipeline={pipeline} preview={confirm.answer} onRun={() => choose(false)} onSkip={() => choose(true)} onCancel={() => setConfirm(undefined)} />}
      <div className="sched-options">
        <label className="field">
          <span>Time zone</span>
          <input value={draft.timezone} list={zoneListId} placeholder="UTC" onChange={(e) => edit({ timezone: e.target.value })} data-testid={`schedule-timezone-${pipeline}`} />
        </label>
        <label className="field">
          <span>Start date</span>
          <input value={draft.start_date} placeholder="YYYY-MM-DD" title="The first interval starts here (a date, or an ISO time); empty: now" onChange={(e) => edit({ start_date: e.target.value })} data-testid={`schedule-start-${pipeline}`} />
        </label>
        <label className="field">
          <span>End date</span>
          <input value={draft.end_date} placeholder="YYYY-MM-DD" title="No run for an interval that ends after this; empty: no end" onChange={(e) => edit({ end_date: e.target.value })} data-testid={`schedule-end-${pipeline}`} />
        </label>
        <label className="field checkbox" title="On: every interval missed since the start date runs. Off: only the latest ended interval runs.">
          <input type="checkbox" checked={draft.catchup} onChange={(e) => edit({ catchup: e.target.checked })} data-testid={`schedule-catchup-${pipeline}`} />
          <span>Catch up missed intervals</span>
        </label>
      </div>
      <p className="muted small">{draft.catchup ? 'Catchup is on: every interval since the start date that has ended runs, oldest first.' : 'Catchup is off: after a pause only the latest ended interval runs.'}</p>
      {schedule && !shownProblem && preview && <NextRunTimes pipeline={pipeline} times={preview.next_runs} timezone={timezone} />}
    </form>
  );
}

/** The typed schedule as the file form reads (an interval such as 30m in ms), for its plain words. */
function previewable(schedule: Record<string, unknown>): Record<string, unknown> {
  const interval = typeof schedule.interval === 'string' ? /^(\d+)\s*(ms|s|m|h|d)$/.exec(schedule.interval) : null;
  if (!interval) return schedule;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[interval[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return { ...schedule, interval: Number(interval[1]) * unit };
}
