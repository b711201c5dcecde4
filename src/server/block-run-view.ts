import type { SerializedError } from '../core/errors.ts';
import type { BlockRunRecord } from '../core/run-store/run-store.ts';

/** A block run as the API shows it: whether an output is stored, never where. */
export type BlockRunView = Omit<BlockRunRecord, 'output'> & { readonly hasOutput: boolean };

/** A block run as `GET /api/runs/:id` answers it: with its file (code blocks) and duration, error locations relative to the project. */
export type BlockRunDetail = Omit<BlockRunView, 'error'> & {
  readonly file: string | null;
  /** Null while the block has not ended. */
  readonly durationMs: number | null;
  readonly error: SerializedError | null;
};

export function blockRunView(record: BlockRunRecord): BlockRunView {
  const { output, ...rest } = record;
  return { ...rest, hasOutput: Boolean(output) };
}
