import { createHash } from 'node:crypto';
import type { Row } from '../../core/data-plane/data-plane.ts';
import { jsonValue } from '../file-sink.ts';

/**
 * The stable id of each record a batch publishes to a broker sink, the same
 * when the batch is processed again after a crash:
 *
 * - rows that map to their messages (per-record transformers only): the
 *   message's id and the row's place among its rows, `<message id>#<n>`;
 * - window results: the row's content, `w:<sha256>` (a window emitted again
 *   with other values is another record);
 * - rows of per-batch or SQL transformers, which do not say which message
 *   each came from: the batch's first and last message ids and the row's
 *   place, `b:<first>..<last>#<n>`. A batch formed otherwise after a crash
 *   gives new ids, so its records may be published twice under different ids.
 */
export function recordIds(rows: readonly Row[], kind: 'per_message' | 'window' | 'batch', inputs: readonly { readonly id: string; readonly rows: readonly Row[] }[]): string[] {
  switch (kind) {
    case 'per_message':
      return inputs.flatMap((input) => input.rows.map((_, n) => `${input.id}#${n}`));
    case 'window':
      return rows.map((row) => `w:${createHash('sha256').update(JSON.stringify(row, jsonValue)).digest('hex').slice(0, 32)}`);
    case 'batch': {
      const span = inputs.length ? `${inputs[0]!.id}..${inputs.at(-1)!.id}` : '';
      return rows.map((_, n) => `b:${span}#${n}`);
    }
  }
}
