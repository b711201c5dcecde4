import type { ChangeBatch, ChangePosition, ChangeRow, ChangeValue, TableChanges } from './change-capture.ts';

type Net = { op: 'delete'; row: ChangeRow } | { op: 'upsert'; row: ChangeRow; partial: boolean };

/**
 * Collects row changes in source order and folds them per key. A connector's
 * change stream fills one per batch; `undefined` in an upserted row marks a
 * value the source did not send because it did not change.
 */
export class ChangeBatchBuilder {
  private readonly nets = new Map<string, Map<string, Net>>();
  private changeCount = 0;
  private transactionCount = 0;

  /** `keys`: per table label, the columns that identify a row. */
  constructor(private readonly keys: ReadonlyMap<string, readonly string[]>) {}

  get changes(): number {
    return this.changeCount;
  }

  get isEmpty(): boolean {
    return this.changeCount === 0;
  }

  commit(): void {
    this.transactionCount++;
  }

  upsert(table: string, row: Record<string, ChangeValue | undefined>): void {
    const partial = Object.values(row).some((v) => v === undefined);
    const clean = partial ? (Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined)) as ChangeRow) : (row as ChangeRow);
    const map = this.tableMap(table);
    const id = this.keyOf(table, clean);
    const before = map.get(id);
    // An unchanged value keeps whatever the row held before, including a value written earlier in this batch.
    if (partial && before?.op === 'upsert') map.set(id, { op: 'upsert', row: { ...before.row, ...clean }, partial: before.partial });
    else map.set(id, { op: 'upsert', row: clean, partial });
    this.changeCount++;
  }

  delete(table: string, key: ChangeRow): void {
    this.tableMap(table).set(this.keyOf(table, key), { op: 'delete', row: key });
    this.changeCount++;
  }

  build(position: ChangePosition, commitTime: Date): ChangeBatch {
    const tables = new Map<string, TableChanges>();
    for (const [table, map] of this.nets) {
      const changes: TableChanges = { upserts: [], partialUpdates: [], deletes: [] };
      for (const net of map.values()) {
        if (net.op === 'delete') changes.deletes.push(net.row);
        else (net.partial ? changes.partialUpdates : changes.upserts).push(net.row);
      }
      tables.set(table, changes);
    }
    return { tables, position, commitTime, transactions: this.transactionCount, changes: this.changeCount };
  }

  private tableMap(table: string): Map<string, Net> {
    let map = this.nets.get(table);
    if (!map) this.nets.set(table, (map = new Map()));
    return map;
  }

  private keyOf(table: string, row: ChangeRow): string {
    const key = this.keys.get(table) ?? [];
    return JSON.stringify(key.map((k) => row[k]), (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  }
}
