import { afterEach, describe } from 'node:test';
import type { RunStore } from './run-store.ts';
import { describeRunHistoryContract } from './run-history-contract.ts';
import { describeBlockRunHistoryContract } from './block-run-history-contract.ts';
import { describeRunQueueContract } from './run-queue-contract.ts';
import { describeRunLeaseContract } from './run-lease-contract.ts';
import { describeSyncStateContract } from './sync-state-contract.ts';
import { describeQualityContract } from './quality-contract.ts';
import { describeAuditContract } from './audit-contract.ts';
import { describeUserStoreContract } from './user-store-contract.ts';
import { describeStreamMetricsContract } from './stream-metrics-contract.ts';

/**
 * The behaviour every run store must have, as node:test cases. `open` opens a
 * store on the backing database; calling it while another store is open gives
 * a second "process" on the same database. `cleanup` runs after every case,
 * once the case's stores are closed, and must leave the backing database
 * empty for the next one (delete the file, drop the schema).
 *
 * @example
 * describeRunStoreContract('SqliteRunStore', async () => new SqliteRunStore(file), async () => rmSync(file));
 */
export function describeRunStoreContract(name: string, open: () => Promise<RunStore>, cleanup?: () => Promise<void>, skip: string | false = false): void {
  describe(`${name} (run store contract)`, { skip }, () => {
    const opened = new Set<RunStore>();
    async function openStore(): Promise<RunStore> {
      const store = await open();
      opened.add(store);
      return store;
    }
    async function closeStore(store: RunStore): Promise<void> {
      opened.delete(store);
      await store.close();
    }
    afterEach(async () => {
      await Promise.all([...opened].map((store) => closeStore(store)));
      await cleanup?.();
    });

    describe('run history', () => {
      describeRunHistoryContract({ open: openStore, close: closeStore });
      describeBlockRunHistoryContract(openStore);
    });
    describe('run queue', () => {
      describeRunQueueContract(openStore);
      describeRunLeaseContract(openStore);
    });
    describeSyncStateContract(openStore);
    describe('quality', () => describeQualityContract(openStore));
    describeAuditContract(openStore);
    describeUserStoreContract(openStore);
    describeStreamMetricsContract(openStore);
  });
}
