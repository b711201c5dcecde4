/** Display helpers: every value becomes text, never markup. */

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function durationBetween(start?: string, end?: string): number | undefined {
  if (!start) return undefined;
  return (end ? Date.parse(end) : Date.now()) - Date.parse(start);
}

export function formatTime(iso: string | undefined | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString(undefined, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function formatRelative(iso: string | undefined | null): string {
  if (!iso) return '—';
  const delta = Date.parse(iso) - Date.now();
  if (Number.isNaN(delta)) return String(iso);
  const abs = Math.abs(delta);
  const unit = abs < 60_000 ? `${Math.round(abs / 1000)} s` : abs < 3_600_000 ? `${Math.round(abs / 60_000)} min` : abs < 86_400_000 ? `${Math.round(abs / 3_600_000)} h` : `${Math.round(abs / 86_400_000)} d`;
  return delta >= 0 ? `in ${unit}` : `${unit} ago`;
}

export function formatCount(n: number | undefined | null): string {
  return n === undefined || n === null ? '—' : n.toLocaleString('en-US');
}

export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function formatSchedule(schedule: unknown): string {
  if (!schedule) return '—';
  if (typeof schedule === 'string') return schedule;
  if (typeof schedule === 'object') {
    const s = schedule as Record<string, unknown>;
    if (typeof s.cron === 'string') return s.cron;
    if (typeof s.interval === 'string') return s.interval;
    if (typeof s.interval === 'number') return compactDuration(s.interval);
  }
  return JSON.stringify(schedule);
}

/** 90000 -> "90s", 3600000 -> "1h": how a pipeline file writes a duration. */
export function compactDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** Schedule text as typed (a cron expression, or an interval such as 30m) to its file form. */
export function parseScheduleText(text: string, timezone?: unknown): Record<string, unknown> | null {
  const value = text.trim();
  if (!value) return null;
  const zone = typeof timezone === 'string' && timezone !== 'UTC' ? { timezone } : {};
  return /^\d+\s*(ms|s|m|h|d)$/.test(value) ? { interval: value, ...zone } : { cron: value, ...zone };
}

/** Shows Ctrl on Linux and Windows, ⌘ on a Mac. */
export const modKey = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';
