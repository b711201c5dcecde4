import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { ConnectorConnection, ConnectorContext } from '../../core/connectors/connector.ts';
import type { DataPlane, DataPlaneSession } from '../../core/data-plane/data-plane.ts';
import { createDuckDbDataPlane } from '../../core/data-plane/duckdb-data-plane.ts';
import { quoteLiteral } from '../../core/sql/quote.ts';
import { fileConnector } from './index.ts';
import type { FileReadSettings, FileWriteSettings } from './file-settings.ts';

/**
 * The public csv-spectrum files (a devDependency), each with the JSON a
 * correct reader produces: every value as text, `""` as an empty string.
 */
const spectrum = path.dirname(createRequire(import.meta.url).resolve('csv-spectrum/package.json'));
const cases = fs.readdirSync(path.join(spectrum, 'csvs')).map((f) => f.replace(/\.csv$/, '')).sort();

/**
 * location_coordinates is inconsistent upstream: its JSON holds another
 * phone number than its CSV, as one object rather than a list of rows.
 */
const inconsistentUpstream = new Set(['location_coordinates']);

let root: string;
let plane: DataPlane;
let session: DataPlaneSession;
let connection: ConnectorConnection<FileReadSettings, FileWriteSettings>;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-spectrum-'));
  plane = await createDuckDbDataPlane({ tempDir: path.join(root, '.sluice', 'spill') });
  session = await plane.openSession();
  connection = await fileConnector.connect({}, { name: 'file', projectRoot: root, warehousePath: path.join(root, 'wh.duckdb') });
});

after(async () => {
  await connection.close();
  await plane.close();
  fs.rmSync(root, { recursive: true, force: true });
});

function context(): ConnectorContext {
  return {
    projectRoot: root,
    tempDir: path.join(root, '.sluice', 'tmp'),
    session,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    signal: new AbortController().signal,
    block: 'spectrum',
  };
}

describe('file connector: the csv-spectrum files read as their JSON says', () => {
  for (const name of cases) {
    it(`reads ${name}.csv`, { skip: inconsistentUpstream.has(name) ? 'its JSON does not match its CSV upstream' : false }, async () => {
      const expected = JSON.parse(fs.readFileSync(path.join(spectrum, 'json', `${name}.json`), 'utf8')) as Record<string, string>[];
      const location = path.join(root, '.sluice', 'outputs', `${name}.parquet`);
      const settings = fileConnector.readSchema.parse({ path: path.join(spectrum, 'csvs', `${name}.csv`) });
      await connection.read!({ settings, location }, context());
      const rows = await session.query(`SELECT * FROM read_parquet(${quoteLiteral(location)})`);
      // Every value compares as text: the reader may type `1` as a number, the JSON writes "1".
      const asText = rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)])));
      assert.deepEqual(asText, expected);
    });
  }
});
