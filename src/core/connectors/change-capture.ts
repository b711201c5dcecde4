/**
 * What a connector gives change data capture. The engine in `src/cdc/` decodes
 * one replication protocol; a connector that speaks it says so and tells CDC
 * how to open its sessions, so CDC never reaches into a connector's files or
 * asks for a connector by name.
 */
export interface ChangeCapture<C> {
  /** The protocol changes arrive in; `pgoutput` is PostgreSQL logical replication. */
  readonly protocol: 'pgoutput';
  /**
   * Driver settings for the capture's sessions (catalog, snapshot and stream),
   * built from the connection's parsed settings.
   */
  sessionSettings(settings: C): Readonly<Record<string, unknown>>;
  /** The schema of a table the pipeline names without one. */
  defaultSchema(settings: C): string;
}
