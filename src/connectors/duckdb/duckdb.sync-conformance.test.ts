import { runSyncDestinationConformance } from '../testing/sync-destination-conformance.ts';
import { duckdbConnector } from './index.ts';

runSyncDestinationConformance({
  skip: false,
  connector: duckdbConnector,
  // A file in the bench's folder, which goes with it.
  open: async () => ({ settings: { path: 'destination.duckdb' }, table: (name) => name, close: async () => undefined }),
});
