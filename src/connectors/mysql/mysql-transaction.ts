import type { Connection as PromiseConnection } from 'mysql2/promise';

/** Runs `work` in one transaction: committed when it succeeds, rolled back when it throws. */
export async function inTransaction<T>(conn: PromiseConnection, work: () => Promise<T>): Promise<T> {
  await conn.beginTransaction();
  try {
    const result = await work();
    await conn.commit();
    return result;
  } catch (error) {
    await conn.rollback().catch(() => undefined);
    throw error;
  }
}
