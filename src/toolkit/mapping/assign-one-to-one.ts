/**
 * Pairs rows with columns, each at most once, so the total benefit is the
 * largest (the Hungarian method, O(n³) on the larger side). A row whose best
 * share of the total is nothing stays unpaired (-1): a benefit of 0 means
 * "not allowed".
 *
 * ```ts
 * assignOneToOne([[0.9, 0.8], [0.85, 0]]) // -> [1, 0]: 0.8 + 0.85 beats 0.9 alone
 * ```
 */
export function assignOneToOne(benefit: readonly (readonly number[])[]): number[] {
  const rows = benefit.length;
  const cols = rows ? benefit[0]!.length : 0;
  const n = Math.max(rows, cols);
  if (n === 0) return [];
  const cost = (i: number, j: number) => -(i < rows && j < cols ? benefit[i]![j]! : 0);
  // Potentials u (rows) and v (columns), 1-based, with column 0 as the free start (e-maxx's formulation).
  const u = new Array<number>(n + 1).fill(0);
  const v = new Array<number>(n + 1).fill(0);
  const owner = new Array<number>(n + 1).fill(0);
  const way = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    owner[0] = i;
    let j0 = 0;
    const minv = new Array<number>(n + 1).fill(Infinity);
    const used = new Array<boolean>(n + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = owner[j0]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const reduced = cost(i0 - 1, j - 1) - u[i0]! - v[j]!;
        if (reduced < minv[j]!) [minv[j], way[j]] = [reduced, j0];
        if (minv[j]! < delta) [delta, j1] = [minv[j]!, j];
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[owner[j]!]! += delta;
          v[j]! -= delta;
        } else minv[j]! -= delta;
      }
      j0 = j1;
    } while (owner[j0] !== 0);
    do {
      const j1 = way[j0]!;
      owner[j0] = owner[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const assigned = new Array<number>(rows).fill(-1);
  for (let j = 1; j <= n; j++) {
    const i = owner[j]! - 1;
    if (i < rows && j - 1 < cols && benefit[i]![j - 1]! > 0) assigned[i] = j - 1;
  }
  return assigned;
}
