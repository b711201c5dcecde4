/** What GET /api/search answers with, one thing the palette can open. */
export interface SearchHit {
  readonly kind: 'pipeline' | 'block' | 'run' | 'connection';
  readonly label: string;
  readonly detail: string;
  readonly route: string;
  /** The label's characters that matched the query, for highlighting. */
  readonly at: readonly number[];
}

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
