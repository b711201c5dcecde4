/** What GET /api/search answers with (the server's own type): one thing the palette can open. */
export type { SearchHit } from '@sluice/api';

/** The label cut into plain and matched pieces. */
export function markMatches(label: string, at: readonly number[]): { text: string; hit: boolean }[] {
  const marked = new Set(at);
  const pieces: { text: string; hit: boolean }[] = [];
  for (let i = 0; i < label.length; i++) {
    const hit = marked.has(i);
    const last = pieces[pieces.length - 1];
    if (last && last.hit === hit) last.text += label[i];
    else pieces.push({ text: label[i]!, hit });
  }
  return pieces;
}
