import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import type { DataPlane, DataPlaneSession } from '../core/data-plane/data-plane.ts';
import { createDuckDbDataPlane } from '../core/data-plane/duckdb-data-plane.ts';

/**
 * A DuckDB data plane session for the tests of one file, in a temporary folder
 * removed afterwards. Call at the top of a test file; read `session` and `dir`
 * inside the tests, once `before` has run.
 */
export function useDataPlaneSession(prefix: string): { readonly session: DataPlaneSession; readonly dir: string } {
  let dir = '';
  let plane: DataPlane | undefined;
  let session: DataPlaneSession | undefined;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    plane = await createDuckDbDataPlane({ tempDir: path.join(dir, 'spill') });
    session = await plane.openSession();
  });
  after(async () => {
    await session?.close();
    await plane?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    get session() {
      if (!session) throw new Error('the data plane session opens in before()');
      return session;
    },
    get dir() {
      return dir;
    },
  };
}
