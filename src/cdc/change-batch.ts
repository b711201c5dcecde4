import type { CdcValue } from './cdc-values.ts';
import type { Lsn } from './lsn.ts';

/**
 * The net effect of a run of source transactions on one table: per key, the
 * row as it ended (an upsert) or its absence (a delete). A key touched many
 * times in a batch is written once.
 */
export interface TableChanges {
  /** Full rows, keyed in the destination by the table's key. */
  readonly upserts: Row[];
  /** Rows where some values did not change (unchanged TOASTed values): only the present columns are written. */
  readonly partialUpdates: Row[];
  /** Key values of deleted rows. */
  readonly deletes: Row[];
}

export type Row = Readonly<Record<string, CdcValue>>;

/** Changes covering whole source transactions, up to and including the one that ended at `endLsn`. */
export interface ChangeBatch {
  readonly tables: ReadonlyMap<string, TableChanges>;
  readonly endLsn: Lsn;
  readonly commitTime: Date;
  readonly transactions: number;
  /** Source row changes before coalescing. */
  readonly changes: number;
}

type Net = { op: 'delete'; row: Row } | { op: 'upsert'; row: Row; partial: boolean };

/** Collects row changes in source order and folds them per key. */
export class ChangeBatchBuilder {
  private readonly nets = new Map<string, Map<string, Net>>();
  private changeCount = 0;
  private transactionCount = 0;

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

  upsert(table: string, row: Record<string, CdcValue | undefined>): void {
    const partial = Object.values(row).some((v) => v === undefined);
    const clean = partial ? Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined)) as Row : (row as Row);
    const map = this.tableMap(table);
    const id = this.keyOf(table, clean);
    const before = map.get(id);
    // An unchanged value keeps whatever the row held before, including a value written earlier in this batch.
    if (partial && before?.op === 'upsert') map.set(id, { op: 'upsert', row: { ...before.row, ...clean }, partial: before.partial });
    else map.set(id, { op: 'upsert', row: clean, partial });
    this.changeCount++;
  }

  delete(table: string, key: Row): void {
    this.tableMap(table).set(this.keyOf(table, key), { op: 'delete', row: key });
    this.changeCount++;
  }

  build(endLsn: Lsn, commitTime: Date): ChangeBatch {
    const tables = new Map<string, TableChanges>();
    for (const [table, map] of this.nets) {
      const changes: TableChanges = { upserts: [], partialUpdates: [], deletes: [] };
      for (const net of map.values()) {
        if (net.op === 'delete') changes.deletes.push(net.row);
        else (net.partial ? changes.partialUpdates : changes.upserts).push(net.row);
      }
      tables.set(table, changes);
    }
    return { tables, endLsn, commitTime, transactions: this.transactionCount, changes: this.changeCount };
  }

  private tableMap(table: string): Map<string, Net> {
    let map = this.nets.get(table);
    if (!map) this.nets.set(table, (map = new Map()));
    return map;
  }

  private keyOf(table: string, row: Row): string {
    const key = this.keys.get(table) ?? [];
    return JSON.stringify(key.map((k) => row[k]), (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  }
}
