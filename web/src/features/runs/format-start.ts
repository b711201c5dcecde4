const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A start time as `2026-12-06 14:03:12` in the browser's zone, built from the
 * date's own fields. The runs list shows one per row at first paint, and
 * Intl's first date format costs a fresh page some 200 ms on a slow machine.
 */
export function formatStart(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
