import type { ClientBase } from 'pg';
import type { ConnectorContext } from '../../core/connectors/connector.ts';
import type { BinaryCopyPlan } from './postgres-binary-encoder.ts';
import type { PostgresDriver } from './postgres-driver.ts';

/** Where a COPY lands, and how to name it in messages. */
export interface CopyTarget {
  /** `COPY table (columns) FROM STDIN (FORMAT csv)`, or `(FORMAT binary)` with `binary`. */
  readonly copySql: string;
  readonly label: string;
  /** Internal names (staging tables) to show as the target in the server's messages. */
  readonly rename: readonly (readonly [string, string])[];
  /** Present when every column has an exact binary form: the selects then return the input's own columns. */
  readonly binary?: BinaryCopyPlan | undefined;
}

/**
 * Loads the rows of one data-plane query through one COPY on `client`;
 * `single` when it is the only session (then a refused row is named by its
 * record number). Returns the rows loaded.
 */
export type CopyOne = (
  driver: PostgresDriver,
  client: ClientBase,
  select: string,
  target: CopyTarget,
  context: ConnectorContext,
  signal: AbortSignal,
  single: boolean,
) => Promise<number>;
