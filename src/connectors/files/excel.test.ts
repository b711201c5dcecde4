import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import type { ConnectorConnection, ConnectorContext } from '../../core/connectors/connector.ts';
import type { DataPlane, DataPlaneSession, Row } from '../../core/data-plane/data-plane.ts';
import { createDuckDbDataPlane } from '../../core/data-plane/duckdb-data-plane.ts';
import { SluiceError } from '../../core/errors.ts';
import { quoteLiteral } from '../../core/sql/quote.ts';
import { columnLetter, headerNames, SheetReader, type StreamedWorkbook } from './excel.ts';
import { fileConnector, rejectsLocation } from './index.ts';
import { formatFromPath, type FileReadSettings, type FileWriteSettings } from './file-settings.ts';

let root: string;
let plane: DataPlane;
let session: DataPlaneSession;
let connection: ConnectorConnection<FileReadSettings, FileWriteSettings>;
const warnings: string[] = [];
let counter = 0;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-xlsx-'));
  plane = await createDuckDbDataPlane({ tempDir: path.join(root, '.sluice', 'spill') });
  session = await plane.openSession();
  connection = await fileConnector.connect({}, { name: 'file', projectRoot: root, warehousePath: path.join(root, 'wh.duckdb') });
  await writeSalesWorkbook(path.join(root, 'data', 'sales.xlsx'));
});

after(async () => {
  await connection.close();
  await plane.close();
  fs.rmSync(root, { recursive: true, force: true });
});

function context(over: Partial<ConnectorContext> = {}): ConnectorContext {
  return {
    projectRoot: root,
    tempDir: path.join(root, '.sluice', 'tmp'),
    session,
    logger: { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} },
    signal: new AbortController().signal,
    block: 'xlsx_block',
    ...over,
  };
}

const outputLocation = (): string => path.join(root, '.sluice', 'outputs', `xlsx${++counter}.parquet`);
const settings = (s: Record<string, unknown>): FileReadSettings => fileConnector.readSchema.parse(s);
const utc = (...parts: [number, number, number, number?, number?]): Date => new Date(Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3] ?? 0, parts[4] ?? 0));

async function read(s: Record<string, unknown>, over: Partial<ConnectorContext> = {}) {
  const location = outputLocation();
  const result = await connection.read!({ settings: settings(s), location }, context(over));
  const rows = await session.query(`SELECT * FROM read_parquet(${quoteLiteral(location)})`);
  return { result, rows, location, types: Object.fromEntries(result.output.columns.map((c) => [c.name, c.type])) };
}

/** Two sheets of orders: every kind of cell Excel has, and a header with a blank and a repeated name. */
async function writeSalesWorkbook(file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const workbook = new ExcelJS.Workbook();
  const orders = workbook.addWorksheet('Orders');
  orders.addRow(['id', 'order_date', 'amount', 'paid', 'doubled', 'note', 'link', null, 'amount']);
  orders.addRow([1, utc(2024, 1, 5), 10.25, true, { formula: 'A2*2', result: 2 }, { richText: [{ text: 'Hel', font: { bold: true } }, { text: 'lo' }] }, { text: 'site', hyperlink: 'https://example.com' }, 'x', 7]);
  orders.addRow([2, utc(2024, 2, 29, 13, 30), 3.5, false, { formula: 'A3*2', result: 4 }, null, 'plain', null, 8]);
  orders.addRow([3, utc(2023, 12, 31), 0.1, true, { formula: 'A4*2', result: 6 }, 'a, "quoted" note']);
  for (const cell of ['B2', 'B3', 'B4']) orders.getCell(cell).numFmt = 'yyyy-mm-dd hh:mm';
  const returns = workbook.addWorksheet('Returns');
  returns.addRow(['amount', 'id', 'note']);
  returns.addRow([-4.5, 10, 'damaged']);
  await workbook.xlsx.writeFile(file);
}

describe('file connector: xlsx', () => {
  it('tells xlsx by its extension, and never writes it', async () => {
    assert.equal(formatFromPath('data/Budget.XLSX'), 'xlsx');
    await assert.rejects(
      connection.write!({ settings: fileConnector.writeSchema.parse({ path: 'out/x.xlsx' }), input: { table: 't', columns: [], rows: 0 } }, context()),
      { code: 'file.unknown_format' },
    );
    assert.throws(() => settings({ path: 'a.xlsx', format: 'xlsx', sheet: 1, sheets: 'all' }));
    await assert.rejects(read({ path: 'data/sales.xlsx', delimiter: ';' }), { code: 'file.bad_settings' });
    await assert.rejects(read({ path: 'data/sales.csv', sheet: 'Orders' }), { code: 'file.bad_settings' });
  });

  it('reads the first sheet: numbers, dates, booleans, formulas, rich text, links, empty cells', async () => {
    const { result, rows, types } = await read({ path: 'data/sales.xlsx' });
    assert.match(result.summary ?? '', /read 3 rows from data\/sales\.xlsx \(sheet Orders\)/);
    assert.equal(result.rowsIn, 3);
    assert.deepEqual(types, {
      id: 'DOUBLE',
      order_date: 'TIMESTAMP',
      amount: 'DOUBLE',
      paid: 'BOOLEAN',
      doubled: 'DOUBLE',
      note: 'VARCHAR',
      link: 'VARCHAR',
      column_8: 'VARCHAR',
      amount_2: 'DOUBLE',
    });
    assert.deepEqual(
      rows.map((r) => ({ ...r, order_date: (r.order_date as Date).toISOString() })),
      [
        { id: 1, order_date: '2024-01-05T00:00:00.000Z', amount: 10.25, paid: true, doubled: 2, note: 'Hello', link: 'site', column_8: 'x', amount_2: 7 },
        { id: 2, order_date: '2024-02-29T13:30:00.000Z', amount: 3.5, paid: false, doubled: 4, note: null, link: 'plain', column_8: null, amount_2: 8 },
        { id: 3, order_date: '2023-12-31T00:00:00.000Z', amount: 0.1, paid: true, doubled: 6, note: 'a, "quoted" note', link: null, column_8: null, amount_2: null },
      ],
    );
  });

  it('converts to the types columns declares', async () => {
    const { rows, types } = await read({ path: 'data/sales.xlsx', columns: { id: 'INTEGER', amount: 'DECIMAL(12,2)', doubled: 'VARCHAR', paid: 'VARCHAR', order_date: 'TIMESTAMP' } });
    assert.equal(types.id, 'INTEGER');
    assert.equal(types.amount, 'DECIMAL(12,2)');
    const amounts = await session.query(`SELECT sum(amount)::VARCHAR AS total FROM (VALUES ${rows.map((r) => `(${String(r.amount)}::DECIMAL(12,2))`).join(', ')}) t(amount)`);
    assert.equal(amounts[0]!.total, '13.85');
    assert.deepEqual(rows.map((r) => [r.id, r.doubled, r.paid]), [[1, '2', 'true'], [2, '4', 'false'], [3, '6', 'true']]);
    await assert.rejects(read({ path: 'data/sales.xlsx', columns: { nope: 'INTEGER' } }), { code: 'file.unknown_column' });
  });

  it('reads a sheet by name or by position, or every sheet with a sheet column', async () => {
    const byName = await read({ path: 'data/sales.xlsx', sheet: 'returns' });
    assert.deepEqual(byName.rows, [{ amount: -4.5, id: 10, note: 'damaged' }]);
    const byIndex = await read({ path: 'data/sales.xlsx', sheet: 2 });
    assert.deepEqual(byIndex.rows, byName.rows);
    const all = await read({ path: 'data/sales.xlsx', sheets: 'all' });
    assert.match(all.result.summary ?? '', /read 4 rows .*\(2 sheets\)/);
    assert.equal(all.types.sheet, 'VARCHAR');
    assert.deepEqual(
      all.rows.map((r) => [r.sheet, r.id, r.amount, r.note, r.link]),
      [
        ['Orders', 1, 10.25, 'Hello', 'site'],
        ['Orders', 2, 3.5, null, 'plain'],
        ['Orders', 3, 0.1, 'a, "quoted" note', null],
        ['Returns', 10, -4.5, 'damaged', null],
      ],
    );
    await assert.rejects(read({ path: 'data/sales.xlsx', sheet: 'Refunds' }), (error: unknown) => error instanceof SluiceError && error.code === 'file.unknown_sheet' && /Orders, Returns/.test(error.message));
  });

  it('skips rows before the header, and names columns itself without one', async () => {
    const file = path.join(root, 'data', 'report.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Report');
    sheet.addRow(['Monthly report']);
    sheet.addRow([]);
    sheet.addRow(['region', 'units']);
    sheet.addRow(['north', 5]);
    sheet.addRow([]);
    sheet.addRow(['south', 7, null]);
    await workbook.xlsx.writeFile(file);
    const skipped = await read({ path: 'data/report.xlsx', skip: 2 });
    assert.deepEqual(skipped.rows, [{ region: 'north', units: 5 }, { region: 'south', units: 7 }]);
    const bare = await read({ path: 'data/report.xlsx', skip: 3, header: false });
    assert.deepEqual(bare.rows, [{ column_1: 'north', column_2: 5 }, { column_1: 'south', column_2: 7 }]);
  });

  it('types a column by its first batch: a mix is text, a later misfit a bad row', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Codes');
    sheet.addRow(['code', 'qty']);
    sheet.addRow([101, 1]);
    sheet.addRow(['A7', 2]);
    // Whole numbers in the first batch, a fraction after it: still one DOUBLE column.
    for (let i = 0; i < 2100; i++) sheet.addRow([i, i < 2090 ? 3 : 3.5]);
    sheet.addRow([5, 'lots']);
    await workbook.xlsx.writeFile(path.join(root, 'data', 'codes.xlsx'));
    const { rows, types, result } = await read({ path: 'data/codes.xlsx', on_error: 'reject' });
    assert.deepEqual(types, { code: 'VARCHAR', qty: 'DOUBLE' });
    assert.deepEqual(rows.slice(0, 3), [{ code: '101', qty: 1 }, { code: 'A7', qty: 2 }, { code: '0', qty: 3 }]);
    assert.deepEqual(rows.at(-1), { code: '2099', qty: 3.5 });
    assert.equal(result.output.rows, 2102);
    assert.match(result.summary ?? '', /1 rejected/);
    assert.match(warnings.at(-1)!, /row 2104, column B \(qty\): text 'lots' in a column of numbers/);
  });

  it('names blank and repeated header cells', () => {
    assert.deepEqual(headerNames([null, 'a', null, 'A', 'a_2', 'column_2', '', 'b']), ['a', 'column_2_2', 'A_3', 'a_2', 'column_2', 'column_6', 'b']);
    assert.deepEqual([1, 3, 26, 27, 702, 703].map(columnLetter), ['A', 'C', 'Z', 'AA', 'ZZ', 'AAA']);
  });

  describe('bad rows', () => {
    before(async () => {
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('Orders');
      sheet.addRow(['id', 'item', 'amount']);
      for (let i = 1; i <= 20; i++) sheet.addRow([i, `item ${i}`, i * 1.5]);
      sheet.getCell('C17').value = { error: '#DIV/0!' };
      sheet.getCell('D9').value = 'stray';
      sheet.getCell('C12').value = 'n/a';
      await workbook.xlsx.writeFile(path.join(root, 'data', 'bad.xlsx'));
    });

    it('fails at the first bad row, naming file, sheet, row and column', async () => {
      await assert.rejects(read({ path: 'data/bad.xlsx', columns: { amount: 'VARCHAR' } }), (error: unknown) => {
        assert.ok(error instanceof SluiceError);
        assert.equal(error.code, 'file.bad_row');
        assert.match(error.message, /^data\/bad\.xlsx, sheet Orders, row 9, column D: a value beyond the 3 columns of the header$/);
        return true;
      });
    });

    it('names the error value of a cell', async () => {
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('Orders');
      sheet.addRow(['id', 'amount']);
      for (let i = 1; i <= 20; i++) sheet.addRow([i, i]);
      sheet.getCell('B17').value = { error: '#DIV/0!' };
      await workbook.xlsx.writeFile(path.join(root, 'data', 'div.xlsx'));
      await assert.rejects(read({ path: 'data/div.xlsx' }), (error: unknown) => {
        assert.ok(error instanceof SluiceError);
        assert.equal(error.message, 'data/div.xlsx, sheet Orders, row 17, column B (amount): #DIV/0!');
        assert.equal(error.location?.line, 17);
        return true;
      });
    });

    it('stores bad rows beside the output with on_error: reject', async () => {
      warnings.length = 0;
      const { result, rows, location, types } = await read({ path: 'data/bad.xlsx', on_error: 'reject', columns: { amount: 'DOUBLE' } });
      assert.equal(types.amount, 'DOUBLE');
      assert.equal(result.output.rows, 17);
      assert.equal(result.rowsIn, 20);
      assert.match(result.summary ?? '', /read 17 rows .*; 3 rejected/);
      assert.ok(!rows.some((r) => [8, 11, 16].includes(r.id as number)));
      const rejects = await session.query(`SELECT file, sheet, line, "column", reason, "row" FROM read_parquet(${quoteLiteral(rejectsLocation(location))}) ORDER BY line`);
      const file = path.join(root, 'data', 'bad.xlsx');
      assert.deepEqual(rejects, [
        { file, sheet: 'Orders', line: 9n, column: 'D', reason: 'column D: a value beyond the 3 columns of the header', row: '8,item 8,12,stray' },
        { file, sheet: 'Orders', line: 12n, column: 'amount', reason: "column C (amount): text 'n/a' is not a DOUBLE", row: '11,item 11,n/a' },
        { file, sheet: 'Orders', line: 17n, column: 'amount', reason: 'column C (amount): #DIV/0!', row: '16,item 16,#DIV/0!' },
      ]);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /3 row\(s\) rejected:\n {2}data\/bad\.xlsx, sheet Orders, row 9, column D/);
    });
  });

  it('fails with file.read_failed on a file that is not a workbook, or is cut short', async () => {
    fs.writeFileSync(path.join(root, 'data', 'renamed.xlsx'), 'id,amount\n1,2\n');
    const whole = fs.readFileSync(path.join(root, 'data', 'sales.xlsx'));
    fs.writeFileSync(path.join(root, 'data', 'cut.xlsx'), whole.subarray(0, Math.floor(whole.length / 2)));
    for (const name of ['renamed.xlsx', 'cut.xlsx', 'missing.xlsx']) {
      await assert.rejects(
        read({ path: `data/${name}` }),
        (error: unknown) => error instanceof SluiceError && error.code === 'file.read_failed' && error.message.includes(`data/${name}`),
      );
    }
  });

  it('streams a 50,000-row sheet in batches, in bounded memory', async () => {
    const file = path.join(root, 'data', 'big.xlsx');
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true, useStyles: false });
    const sheet = writer.addWorksheet('Big');
    sheet.addRow(['id', 'region', 'amount']).commit();
    for (let i = 1; i <= 50_000; i++) sheet.addRow([i, `region ${i % 7}`, (i % 100) / 4]).commit();
    sheet.commit();
    await writer.commit();

    const batchSizes: number[] = [];
    const counting: DataPlaneSession = Object.create(session, {
      storeRows: {
        value: (batches: AsyncIterable<readonly Row[]>, location: string, types?: Record<string, string>) =>
          session.storeRows(
            (async function* () {
              for await (const batch of batches) {
                batchSizes.push(batch.length);
                yield batch;
              }
            })(),
            location,
            types,
          ),
      },
    });
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
    const started = performance.now();
    const location = outputLocation();
    const result = await connection.read!({ settings: settings({ path: 'data/big.xlsx' }), location }, context({ session: counting }));
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    assert.equal(result.output.rows, 50_000);
    const [totals] = await session.query(`SELECT count(*) AS n, sum(amount) AS total, sum(id) AS ids FROM read_parquet(${quoteLiteral(location)})`);
    let expected = 0;
    for (let i = 1; i <= 50_000; i++) expected += (i % 100) / 4;
    assert.deepEqual(totals, { n: 50_000n, total: expected, ids: (50_000 * 50_001) / 2 });
    assert.ok(batchSizes.length >= 24 && Math.max(...batchSizes) <= 2048, `batches: ${batchSizes.join(',')}`);
    const grew = (peak - before) / 2 ** 20;
    assert.ok(grew < 200, `heap grew ${grew.toFixed(0)} MB`);
    console.log(`xlsx: 50,000 rows in ${seconds.toFixed(2)} s (${Math.round(50_000 / seconds).toLocaleString('en-US')} rows/s), heap +${grew.toFixed(0)} MB`);
  });
});

describe('file connector: xlsx, a reader that returns fewer sheets than the workbook lists', () => {
  /** A streamed workbook that lists `listed` but yields only `yielded`, each sheet a header `n` and one row. */
  const workbook = (listed: string[], yielded: string[]): StreamedWorkbook => ({
    model: { sheets: listed.map((name) => ({ name })) },
    async *[Symbol.asyncIterator]() {
      for (const name of yielded) {
        yield {
          name,
          async *[Symbol.asyncIterator]() {
            yield { number: 1, eachCell: (callback: (cell: { value: unknown }, column: number) => void) => callback({ value: 'n' }, 1) };
            yield { number: 2, eachCell: (callback: (cell: { value: unknown }, column: number) => void) => callback({ value: name }, 1) };
          },
        };
      }
    },
  }) as unknown as StreamedWorkbook;
  const readAll = async (s: Record<string, unknown>, listed: string[], yielded: string[]) => {
    const reader = new SheetReader(settings({ path: 'data/fake.xlsx', ...s }), path.join(root, 'data/fake.xlsx'), 'data/fake.xlsx', workbook(listed, yielded), context());
    const rows: unknown[] = [];
    for await (const batch of reader.batches()) rows.push(...batch);
    return rows;
  };

  it('fails, naming the missing sheets, instead of loading part of the workbook', async () => {
    await assert.rejects(readAll({ sheets: 'all' }, ['A', 'B', 'C'], ['A', 'C']), (error: SluiceError) => {
      assert.equal(error.code, 'file.sheets_missing');
      assert.match(error.message, /lists 3 sheets but the reader returned 2; missing 'B'/);
      return true;
    });
    await assert.rejects(readAll({ sheet: 2 }, ['A', 'B', 'C'], ['A', 'C']), { code: 'file.sheets_missing' });
    await assert.rejects(readAll({ sheet: 'b' }, ['A', 'B', 'C'], ['A', 'C']), { code: 'file.sheets_missing' });
  });

  it('reads what was asked for when only sheets it did not ask for are missing', async () => {
    assert.deepEqual(await readAll({ sheet: 'C' }, ['A', 'B', 'C'], ['A', 'C']), [{ n: 'C' }]);
    assert.deepEqual(await readAll({ sheets: 'all' }, ['A', 'B'], ['A', 'B']), [{ n: 'A', sheet: 'A' }, { n: 'B', sheet: 'B' }]);
  });
});
