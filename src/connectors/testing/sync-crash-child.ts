/**
 * A sync that a test kills: appends batches of 100 rows (ids after the
 * committed cursor) into a destination, each batch with its position, and
 * prints `committed N` after each commit. Run again, it continues from the
 * committed position. Arguments: one JSON object (kind, settings, table,
 * pipeline, batches, projectRoot).
 */
import path from 'node:path';
import { connectors } from '../registry.ts';
import { openConnectorTestBench } from './connector-test-bench.ts';

const { kind, settings, table, pipeline, batches, projectRoot } = JSON.parse(process.argv[2]!) as {
  kind: string;
  settings: unknown;
  table: string;
  pipeline: string;
  batches: number;
  projectRoot: string;
};
const bench = await openConnectorTestBench('sluice-sync-crash-');
const context = { session: bench.session, logger: bench.context().logger, signal: new AbortController().signal, tempDir: path.join(bench.dir, 'tmp') };
const destination = await connectors.get(kind)!.syncDestination!(settings, { name: 'crash_dest', projectRoot, warehousePath: path.join(projectRoot, 'warehouse.duckdb'), session: bench.session });
await destination.prepare(context);
const [committed] = await destination.readState(pipeline, 'events');
let done = Number((committed?.state as { batch?: number } | undefined)?.batch ?? 0);
if (!(await destination.describeTable({ name: table }))) {
  await destination.createTable({ name: table }, [{ name: 'id', type: 'BIGINT' }, { name: 'note', type: 'VARCHAR' }], ['id'], context);
}
while (done < batches) {
  const next = done + 1;
  const input = await bench.input(`SELECT i::BIGINT AS id, 'row ' || i AS note FROM range(${done * 100 + 1}, ${next * 100 + 1}) t(i)`);
  await destination.applyBatch(
    { pipeline, stream: 'events', table: { name: table }, change: { kind: 'append', input }, state: { batch: next }, previousState: done ? { batch: done } : null },
    context,
  );
  done = next;
  process.stdout.write(`committed ${done}\n`);
}
await destination.close();
await bench.close();
