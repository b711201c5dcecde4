/** Indices of the lines whose text holds the query, case insensitive; none for an empty query. */
export function findInLines(texts: readonly string[], query: string): number[] {
  const wanted = query.trim().toLowerCase();
  if (!wanted) return [];
  const found: number[] = [];
  texts.forEach((text, i) => {
    if (text.toLowerCase().includes(wanted)) found.push(i);
  });
  return found;
}

/** The text cut around each occurrence of the query, for highlighting. */
export function splitOnMatches(text: string, query: string): { text: string; hit: boolean }[] {
  const wanted = query.trim().toLowerCase();
  if (!wanted) return [{ text, hit: false }];
  const lower = text.toLowerCase();
  const pieces: { text: string; hit: boolean }[] = [];
  let from = 0;
  for (let at = lower.indexOf(wanted); at >= 0; at = lower.indexOf(wanted, at + wanted.length)) {
    if (at > from) pieces.push({ text: text.slice(from, at), hit: false });
    pieces.push({ text: text.slice(at, at + wanted.length), hit: true });
    from = at + wanted.length;
  }
  if (from < text.length) pieces.push({ text: text.slice(from), hit: false });
  return pieces;
}
