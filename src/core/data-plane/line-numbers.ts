import { createReadStream } from 'node:fs';

/**
 * The 1-based line on which each byte offset of a file falls. A CSV reader
 * counts rows, and a quoted field may span lines, so a person's "line 5"
 * comes from counting newlines. One pass over the file serves all offsets.
 * Compressed files are not counted (the offsets are not into their bytes).
 */
export async function lineNumbersAt(file: string, offsets: readonly number[]): Promise<Map<number, number>> {
  const wanted = [...new Set(offsets)].sort((a, b) => a - b);
  const lines = new Map<number, number>();
  if (!wanted.length || /\.(gz|gzip|zst)$/i.test(file)) return lines;
  let line = 1;
  let position = 0;
  let next = 0;
  const end = wanted[wanted.length - 1]!;
  for await (const chunk of createReadStream(file, { end: Math.max(0, end - 1) }) as AsyncIterable<Buffer>) {
    let from = 0;
    while (next < wanted.length && wanted[next]! <= position + chunk.length) {
      const upto = wanted[next]! - position;
      for (let i = chunk.indexOf(10, from); i !== -1 && i < upto; i = chunk.indexOf(10, i + 1)) {
        line++;
        from = i + 1;
      }
      from = Math.max(from, upto);
      lines.set(wanted[next]!, line);
      next++;
    }
    for (let i = chunk.indexOf(10, from); i !== -1; i = chunk.indexOf(10, i + 1)) line++;
    position += chunk.length;
  }
  while (next < wanted.length) lines.set(wanted[next++]!, line);
  return lines;
}
