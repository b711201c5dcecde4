import { runSyncDestinationConformance } from '../testing/sync-destination-conformance.ts';
import { sqliteConnector } from './index.ts';

runSyncDestinationConformance({
  skip: false,
  connector: sqliteConnector,
  // A file in the bench's folder, which goes with it.
  open: async () => ({ settings: { path: 'destination.sqlite' }, table: (name) => name, close: async () => undefined }),
});
