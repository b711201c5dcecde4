import { appendRejects, applySchemaContract, logChanges, type SchemaChange } from '../core/connectors/apply-schema-contract.ts';
import type { SyncContext, SyncDestination, SyncInput, SyncTable } from '../core/connectors/sync-destination.ts';
import { SluiceError } from '../core/errors.ts';
import type { SchemaContract } from '../core/pipeline/integration-schema.ts';
import type { JudgedBatch, StreamDrift } from '../core/quality/judge-stream-drift.ts';
import type { ChangeStager, StagedInput } from './change-stager.ts';

/** What one CDC stream's row images meet before they are written. */
export interface ChangeFitScope {
  readonly destination: SyncDestination;
  readonly pipeline: string;
  readonly stream: string;
  readonly table: SyncTable;
  readonly key: readonly string[];
  readonly contract: SchemaContract;
  /** The stream's drift judgement; without it (no run store), only the contract applies. */
  readonly drift?: StreamDrift | undefined;
  readonly stager: ChangeStager;
  readonly context: SyncContext;
  /** Told of each schema change the contract made, before the batch that needed it is written. */
  readonly schemaChanged?: ((change: SchemaChange) => Promise<void>) | undefined;
}

/** Row images fitted to the destination table. */
export interface FittedRows {
  /** The rows to write, or undefined when none are left. */
  readonly input: SyncInput | undefined;
  /** Rows set aside in `<table>__rejects`. */
  readonly rejected: number;
  /** Once the change set is committed: the judged rows become the stream's baseline. */
  committed(): Promise<void>;
}

/**
 * Fits a stream's full row images (inserted or updated rows) to its table, as
 * an integration stream's batch is fitted: they are judged for drift against
 * the rows the stream last committed, then the schema contract compares their
 * columns with the table (`evolve` adds columns, `freeze` fails,
 * `discard_row` sets aside the rows that do not fit and those whose value
 * breaks a column's established shape).
 */
export async function fitFullImages(scope: ChangeFitScope, staged: StagedInput): Promise<FittedRows> {
  const judged = await scope.drift?.judge(staged.stored, 0);
  const input = judged && judged.batch !== staged.stored ? await scope.stager.attach(`${staged.table}_judged`, judged.batch) : staged;
  return fit(scope, input, judged, false);
}

/**
 * Fits partial row images (an update whose other values did not change, so
 * only the key and some columns came) to the table under the contract, over
 * the columns they carry. They are not judged for drift: the columns they
 * lack would read as dropped columns, or as a jump in null rates.
 */
export async function fitPartialImages(scope: ChangeFitScope, input: SyncInput): Promise<FittedRows> {
  return fit(scope, input, undefined, true);
}

async function fit(scope: ChangeFitScope, input: SyncInput, judged: JudgedBatch | undefined, partial: boolean): Promise<FittedRows> {
  const { destination, table, context, stager } = scope;
  const prefix = `${input.table}_fit`;
  const result = await applySchemaContract({
    destination,
    table,
    key: scope.key,
    contract: scope.contract,
    input,
    stream: scope.stream,
    context,
    scratch: (name) => stager.scratch(`${prefix}_${name}`),
    partial,
    prefix,
  }).catch(async (error: unknown) => {
    await judged?.record({ refused: error instanceof SluiceError && error.code === 'integration.schema_frozen', rejected: 0 });
    throw error;
  });
  logChanges(context.logger, table, result.changes);
  for (const change of result.changes) await scope.schemaChanged?.(change);
  await judged?.record({ refused: false, rejected: result.rejects?.rows ?? 0 });
  const drifted = judged?.rejects?.rows ? await stager.attach(`${prefix}_drift_rejects`, judged.rejects) : undefined;
  let rejected = 0;
  if (drifted || result.rejects?.rows) {
    // Rejects commit with the stream's state unchanged: the batch, committed after them, moves it.
    const previous = (await destination.readState(scope.pipeline)).find((s) => s.stream === scope.stream)?.state ?? null;
    const rejects = { destination, pipeline: scope.pipeline, stream: scope.stream, table, previous, context };
    rejected = (await appendRejects({ ...rejects, rejects: drifted })) + (await appendRejects({ ...rejects, rejects: result.rejects }));
  }
  return { input: result.input.rows ? result.input : undefined, rejected, committed: async () => judged?.committed() };
}
