import { compactDuration, formatSchedule, parseScheduleText } from '../../format.ts';

/** The schedule settings the trigger editor changes, as typed. */
export interface ScheduleDraft {
  /** A cron expression (or @daily-style macro) or an interval such as 30m; empty: no schedule. */
  readonly text: string;
  readonly timezone: string;
  readonly start_date: string;
  readonly end_date: string;
  readonly catchup: boolean;
}

type SavedSchedule = Readonly<Record<string, unknown>> | null | undefined;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The editor's fields for a schedule as the server read it from the file. */
export function draftFromSchedule(saved: SavedSchedule): ScheduleDraft {
  return {
    text: saved ? formatSchedule(saved) : '',
    timezone: text(saved?.timezone) || 'UTC',
    start_date: text(saved?.start_date),
    end_date: text(saved?.end_date),
    catchup: saved?.catchup === true,
  };
}

/**
 * The schedule to write for `draft`: only what differs from the defaults, so
 * the file stays as short as a person would write it, and the settings the
 * editor does not show (deadline, max_active_runs, on_max_active, a
 * disabled switch) kept as they are. `null` removes the schedule.
 */
export function scheduleFromDraft(draft: ScheduleDraft, saved: SavedSchedule): Record<string, unknown> | null {
  const timing = parseScheduleText(draft.text, draft.timezone.trim() || undefined);
  if (!timing) return null;
  const schedule: Record<string, unknown> = { ...timing };
  if (draft.start_date.trim()) schedule.start_date = draft.start_date.trim();
  if (draft.end_date.trim()) schedule.end_date = draft.end_date.trim();
  if (draft.catchup) schedule.catchup = true;
  if (typeof saved?.max_active_runs === 'number' && saved.max_active_runs !== 1) schedule.max_active_runs = saved.max_active_runs;
  if (saved?.on_max_active === 'skip') schedule.on_max_active = 'skip';
  if (typeof saved?.deadline === 'number') schedule.deadline = compactDuration(saved.deadline);
  if (saved?.enabled === false) schedule.enabled = false;
  return schedule;
}

/** Whether the draft says something other than the saved schedule. */
export function draftChanged(draft: ScheduleDraft, saved: SavedSchedule): boolean {
  const before = draftFromSchedule(saved);
  return (Object.keys(before) as (keyof ScheduleDraft)[]).some((key) => String(draft[key]).trim() !== String(before[key]).trim());
}
