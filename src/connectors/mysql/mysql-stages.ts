import type { Connection as PromiseConnection } from 'mysql2/promise';
import type { ConnectorContext } from '../../core/connectors/connector.ts';
import { quoteMysqlIdent } from './mysql-names.ts';

const stagePrefix = '_sluice_stage_';

/**
 * Marks staging table `name` as live for as long as `conn`'s session lasts:
 * a named lock, which the server lets go of when the session ends however it
 * ends. Stage names carry 40 random bits, so one name is one load.
 */
export async function holdStage(conn: PromiseConnection, name: string): Promise<void> {
  await conn.query('SELECT GET_LOCK(?, 0)', [name]);
}

/**
 * A load killed outright (SIGKILL, a lost machine) cannot drop its staging
 * table. At the start of each write, a staging table in the target's
 * database whose named lock no session holds belongs to a dead load and is
 * dropped.
 */
export async function dropAbandonedStages(conn: PromiseConnection, database: string, context: ConnectorContext): Promise<void> {
  const [rows] = await conn.query(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE ? AND IS_USED_LOCK(TABLE_NAME) IS NULL`,
    [database, `${stagePrefix.replace(/_/g, '\\_')}%`],
  );
  for (const { name } of rows as { name: string }[]) {
    // Taking the lock first: a load that has just chosen this name cannot be starting on it.
    const [got] = await conn.query('SELECT GET_LOCK(?, 0) AS free', [name]);
    if ((got as { free: number | null }[])[0]?.free !== 1) continue;
    try {
      await conn.query(`DROP TABLE IF EXISTS ${quoteMysqlIdent(database)}.${quoteMysqlIdent(name)}`);
      context.logger.info(`dropped ${database}.${name}, a staging table left by an interrupted load`);
    } catch (error) {
      // Only housekeeping: this load goes on, and the next one tries again.
      context.logger.debug(`could not drop ${database}.${name}, a staging table left by an interrupted load: ${(error as Error).message}`);
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [name]);
    }
  }
}
