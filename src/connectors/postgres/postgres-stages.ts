import { randomBytes } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { ConnectorContext } from '../../core/connectors/connector.ts';
import { quoteIdent } from '../../core/sql/quote.ts';

const stagePrefix = '_sluice_stage_';
/**
 * The first key of the advisory locks that mark live staging tables (the
 * second is the hash of the table's name): "SLCE" as an integer.
 */
const stageLockSpace = 0x534c4345;

/** `_sluice_stage_<creation time, base 36 seconds>_<random>`: the name tells its age. */
export function stageName(): string {
  return `${stagePrefix}${Math.floor(Date.now() / 1000).toString(36)}_${randomBytes(4).toString('hex')}`;
}

/**
 * A load killed outright (SIGKILL, a lost machine) cannot drop its staging
 * table. Every load holds a session advisory lock on its staging table's
 * name while the table lives, and the server lets go of it when the session
 * ends. So at the start of each write, a staging table in the target's
 * schema whose lock nobody holds, and that no session has locked, belongs to
 * a dead load and is dropped.
 */
export async function dropAbandonedStages(control: PoolClient, schema: string, context: ConnectorContext): Promise<void> {
  const { rows } = await control.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname LIKE $2
        AND NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.relation = c.oid)`,
    [schema, `${stagePrefix.replace(/_/g, '\\_')}%`],
  );
  for (const { name } of rows) {
    const held = await control.query<{ free: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS free', [stageLockSpace, name]);
    if (!held.rows[0]?.free) continue;
    try {
      await control.query(`DROP TABLE IF EXISTS ${quoteIdent(schema)}.${quoteIdent(name)}`);
      context.logger.info(`dropped ${schema}.${name}, a staging table left by an interrupted load`);
    } catch (error) {
      // Only housekeeping: this load goes on, and the next one tries again.
      context.logger.debug(`could not drop ${schema}.${name}, a staging table left by an interrupted load: ${(error as Error).message}`);
    } finally {
      await control.query('SELECT pg_advisory_unlock($1, hashtext($2))', [stageLockSpace, name]);
    }
  }
}

/** Marks staging table `name` as live for as long as `control`'s session lasts. */
export async function holdStage(control: PoolClient, name: string): Promise<void> {
  await control.query('SELECT pg_advisory_lock($1, hashtext($2))', [stageLockSpace, name]);
}

/** Lets go of the mark before the session returns to the pool; a failed session is discarded, and its locks go with it. */
export async function releaseStage(control: PoolClient, name: string): Promise<void> {
  await control.query('SELECT pg_advisory_unlock($1, hashtext($2))', [stageLockSpace, name]).catch(() => undefined);
}
