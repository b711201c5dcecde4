/**
 * Lines compared by a full table above this many cells are shown as removed
 * and added instead: the table is built on the server's one thread, and a
 * million cells keep it to a few tenths of a second on a busy machine.
 */
const maxCells = 1_000_000;
const context = 3;

type Edit = { readonly kind: ' ' | '-' | '+'; readonly line: string };

/**
 * A unified diff (`@@ -a,b +c,d @@` hunks, three lines of context) of two
 * texts, for the audit log. Lines alike at both ends are skipped before the
 * middle is compared, so a small edit of a large file stays cheap.
 */
export function unifiedDiff(before: string, after: string, name: string): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const edits: Edit[] = [
    ...a.slice(0, start).map((line) => ({ kind: ' ' as const, line })),
    ...middleEdits(a.slice(start, endA), b.slice(start, endB)),
    ...a.slice(endA).map((line) => ({ kind: ' ' as const, line })),
  ];
  return `--- a/${name}\n+++ b/${name}\n${hunks(edits).join('')}`;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The shortest edit by a longest-common-subsequence table, or all out and all in when the table would be too big. */
function middleEdits(a: readonly string[], b: readonly string[]): Edit[] {
  if (a.length * b.length > maxCells) return [...a.map((line) => ({ kind: '-' as const, line })), ...b.map((line) => ({ kind: '+' as const, line }))];
  // Lines as numbers, so the table's inner loop compares integers, not strings.
  const ids = new Map<string, number>();
  const idOf = (line: string): number => ids.get(line) ?? (ids.set(line, ids.size), ids.size - 1);
  const x = Int32Array.from(a, idOf);
  const y = Int32Array.from(b, idOf);
  const width = b.length + 1;
  const table = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * width + j] = x[i] === y[j] ? table[(i + 1) * width + j + 1]! + 1 : Math.max(table[(i + 1) * width + j]!, table[i * width + j + 1]!);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      edits.push({ kind: ' ', line: a[i]! });
      i++;
      j++;
    } else if (table[(i + 1) * width + j]! >= table[i * width + j + 1]!) edits.push({ kind: '-', line: a[i++]! });
    else edits.push({ kind: '+', line: b[j++]! });
  }
  while (i < a.length) edits.push({ kind: '-', line: a[i++]! });
  while (j < b.length) edits.push({ kind: '+', line: b[j++]! });
  return edits;
}

/** Groups changes with their context into hunks, numbering lines as `diff -u` does. */
function hunks(edits: readonly Edit[]): string[] {
  const changed = edits.flatMap((e, index) => (e.kind === ' ' ? [] : [index]));
  const out: string[] = [];
  let k = 0;
  while (k < changed.length) {
    const from = Math.max(0, changed[k]! - context);
    let to = changed[k]! + context;
    while (k + 1 < changed.length && changed[k + 1]! - context <= to + 1) to = changed[++k]! + context;
    k++;
    to = Math.min(edits.length - 1, to);
    let lineA = 1;
    let lineB = 1;
    for (const e of edits.slice(0, from)) {
      if (e.kind !== '+') lineA++;
      if (e.kind !== '-') lineB++;
    }
    const body = edits.slice(from, to + 1);
    const countA = body.filter((e) => e.kind !== '+').length;
    const countB = body.filter((e) => e.kind !== '-').length;
    out.push(`@@ -${countA ? lineA : lineA - 1},${countA} +${countB ? lineB : lineB - 1},${countB} @@\n${body.map((e) => `${e.kind}${e.line}\n`).join('')}`);
  }
  return out;
}
