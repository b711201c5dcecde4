import { ConfigError } from '../core/errors.ts';
import type { SyncDestination } from '../core/connectors/sync-destination.ts';

/** A sync destination that applies multi-table change sets: what CDC writes into. */
export type ChangeDestination = SyncDestination & Required<Pick<SyncDestination, 'applyChanges'>>;

/** The destination, when it can receive CDC; a clear error naming the connection when it cannot. */
export function requireChangeSupport(destination: SyncDestination): ChangeDestination {
  if (destination.applyChanges) return destination as ChangeDestination;
  throw new ConfigError(
    'cdc.destination_unsupported',
    `connection '${destination.name}' is not supported as a CDC destination: it cannot apply change sets`,
  );
}
