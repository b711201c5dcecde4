import path from 'node:path';
import { quoteIdent } from '../../core/sql/quote.ts';
import { runConnectorConformance } from '../testing/connector-conformance.ts';
import { duckdbConnector } from './index.ts';

runConnectorConformance({
  connector: duckdbConnector,
  // DuckDB accepts VARCHAR(n) but ignores the length.
  enforces: { textLength: false, numericPrecision: true, intRange: true },
  async open({ dir, session }) {
    const file = path.join(dir, 'warehouse.duckdb');
    const connection = await duckdbConnector.connect({ path: file }, { name: 'conformance_duckdb', projectRoot: dir, warehousePath: file });
    // The connector attaches the file only while it works, so fixtures do the same.
    const attached = async <T>(work: () => Promise<T>): Promise<T> => {
      await session.attachDatabase(file, 'fixture');
      try {
        return await work();
      } finally {
        await session.detachDatabase('fixture');
      }
    };
    return {
      connection,
      schema: 'main',
      qualified: (name) => `fixture.main.${quoteIdent(name)}`,
      exec: (sql) => attached(async () => void (await session.query(sql))),
      rows: (sql) => attached(() => session.query(sql)),
      close: () => connection.close(),
    };
  },
});
