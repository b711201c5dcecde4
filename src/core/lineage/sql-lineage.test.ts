import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { DataPlane, DataPlaneSession } from '../data-plane/data-plane.ts';
import { createDuckDbDataPlane } from '../data-plane/duckdb-data-plane.ts';
import { quoteIdent } from '../sql/quote.ts';
import { createSqlParser, type SqlParser } from './sql-parser.ts';
import { sqlLineage, type SqlLineage } from './sql-lineage.ts';

interface LabelledCase {
  readonly name: string;
  readonly sql: string;
  readonly tables: readonly string[];
  readonly files?: readonly string[];
  readonly columns: Readonly<Record<string, readonly string[]>>;
}

const labelled = parse(fs.readFileSync(fileURLToPath(new URL('./sql-lineage-cases.yaml', import.meta.url)), 'utf8')) as {
  tables: Record<string, string[]>;
  cases: LabelledCase[];
};

let root: string;
let plane: DataPlane;
let session: DataPlaneSession;
let parser: SqlParser;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-lineage-'));
  plane = await createDuckDbDataPlane({ tempDir: path.join(root, 'spill') });
  session = await plane.openSession();
  parser = createSqlParser(session);
  // The known tables exist (empty), so the engine can say what it names each result column.
  for (const [table, columns] of Object.entries(labelled.tables)) {
    await session.query(`CREATE TABLE ${quoteIdent(table)} (${columns.map((c) => `${quoteIdent(c)} INTEGER`).join(', ')})`);
  }
});

after(async () => {
  await plane.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function lineageOf(sql: string): Promise<SqlLineage> {
  const parsed = await parser.parse(sql);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
  return sqlLineage(parsed.statements[0]!, { columnsOf: (table) => labelled.tables[table] });
}

/** The labelled answer in the analysis's own shape: sources as table.column, sorted. */
function answerOf(found: SqlLineage) {
  return {
    tables: [...found.tables],
    files: [...found.files],
    columns: Object.fromEntries(found.columns.map((c) => [c.name, c.sources.map((s) => `${s.table}.${s.column}`).sort()])),
    order: found.columns.map((c) => c.name),
  };
}

function expectedOf(labelledCase: LabelledCase) {
  const columns = Object.fromEntries(Object.entries(labelledCase.columns).map(([name, sources]) => [name, [...sources].sort()]));
  return { tables: [...labelledCase.tables].sort(), files: [...(labelledCase.files ?? [])].sort(), columns, order: Object.keys(labelledCase.columns) };
}

describe('SQL lineage against hand-written answers', () => {
  it(`gets every one of the ${labelled.cases.length} labelled queries right`, async () => {
    assert.ok(labelled.cases.length >= 20, 'the labelled set holds at least 20 queries');
    const wrong: string[] = [];
    for (const labelledCase of labelled.cases) {
      const found = answerOf(await lineageOf(labelledCase.sql));
      const expected = expectedOf(labelledCase);
      try {
        assert.deepEqual(found, expected);
      } catch {
        wrong.push(`${labelledCase.name}:\n  expected ${JSON.stringify(expected)}\n  found    ${JSON.stringify(found)}`);
      }
    }
    console.log(`SQL lineage: ${labelled.cases.length - wrong.length} right, ${wrong.length} wrong of ${labelled.cases.length}`);
    assert.deepEqual(wrong, []);
  });

  it('names result columns as the engine does, wherever every table read is known', async () => {
    const checkable = labelled.cases.filter((c) => !c.files?.length && c.tables.every((t) => t in labelled.tables));
    assert.ok(checkable.length >= 15);
    for (const labelledCase of checkable) {
      const engine = (await session.describe(labelledCase.sql)).map((c) => c.name.toLowerCase());
      assert.deepEqual(Object.keys(labelledCase.columns), engine, labelledCase.name);
    }
  });
});

describe('SQL lineage', () => {
  it('refuses a statement that is not a SELECT with the parser\'s own words', async () => {
    const parsed = await parser.parse('DELETE FROM orders');
    assert.equal(parsed.ok, false);
    assert.match(parsed.ok ? '' : parsed.message, /SELECT/);
  });

  it('notes a column that two tables of unknown columns could hold, instead of guessing', async () => {
    const found = await lineageOf('SELECT id FROM events JOIN users USING (user_id)');
    assert.deepEqual(found.columns, [{ name: 'id', sources: [] }]);
    assert.match(found.notes.join('\n'), /column id could come from events or users/);
  });
});
