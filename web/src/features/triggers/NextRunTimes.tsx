/** A time as the schedule's zone shows it: "Mon 7 Dec, 06:00". */
function zonedTime(iso: string, timezone: string): string {
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
  } catch {
    return iso;
  }
}

/** The next times a schedule fires, in its own zone, as the scheduler computes them. */
export function NextRunTimes({ pipeline, times, timezone }: { pipeline: string; times: readonly string[]; timezone: string }) {
  if (!times.length) return <p className="muted small" data-testid={`schedule-next-${pipeline}`}>No further runs: the end date has passed.</p>;
  return (
    <div className="sched-next small" data-testid={`schedule-next-${pipeline}`}>
      <span className="muted">Next runs ({timezone}):</span>
      <ol>
        {times.map((time) => <li key={time} title={time}>{zonedTime(time, timezone)}</li>)}
      </ol>
    </div>
  );
}
