import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { sluice, tempDir } from './cli-helpers.ts';

/**
 * A CSV never loads wrong while the run says "succeeded": each case runs a
 * pipeline with the CLI, once failing at the bad row (naming file, line and
 * column) and once keeping the bad rows in the rejects.
 */
const cleanups: string[] = [];
after(() => {
  for (const dir of cleanups) rmSync(dir, { recursive: true, force: true });
});

/** A project whose pipeline `p` loads `data/in.<ext>` with `settings` into `raw` and exports it to `out.csv`. */
function project(settings: string, data: string | Buffer, ext = 'csv', projectYaml = ''): string {
  const { dir } = tempDir('sluice-csv-');
  cleanups.push(dir);
  mkdirSync(path.join(dir, 'pipelines'), { recursive: true });
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  writeFileSync(path.join(dir, 'sluice.yaml'), `name: csv\n${projectYaml}`);
  writeFileSync(path.join(dir, 'data', `in.${ext}`), data);
  writeFileSync(
    path.join(dir, 'pipelines', 'p.yaml'),
    `blocks:\n  - name: raw\n    connector: file\n    settings: { path: data/in.${ext}${settings ? `, ${settings}` : ''} }\n` +
      '  - name: out\n    role: exporter\n    connector: file\n    upstream: [raw]\n    settings: { path: out.csv }\n',
  );
  return dir;
}

/** Runs `p` and returns the exported CSV's lines; the run must succeed. */
async function load(settings: string, data: string | Buffer, ext = 'csv', projectYaml = ''): Promise<{ dir: string; lines: string[]; stdout: string }> {
  const dir = project(settings, data, ext, projectYaml);
  const r = await sluice(dir, ['run', 'p']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return { dir, lines: readFileSync(path.join(dir, 'out.csv'), 'utf8').trim().split('\n'), stdout: r.stdout };
}

/** Runs `p` expecting the loader to fail; returns stderr. */
async function failure(settings: string, data: string | Buffer, ext = 'csv'): Promise<string> {
  const r = await sluice(project(settings, data, ext), ['run', 'p']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  return r.stderr;
}

/** The rejects of `raw` in the latest run, as printed by `sluice preview --rejects`. */
async function rejects(dir: string): Promise<string> {
  const r = await sluice(dir, ['preview', 'p', 'raw', '--rejects', '--limit', '50']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

const ragged = 'id,name,city\n1,Ann,Paris\n2,Bob\n3,Cid,Rome,extra\n4,Dan,Oslo\n';

describe('rows with different numbers of fields (#1)', () => {
  it('fails at the first short row, naming its line, instead of reading one column', async () => {
    const stderr = await failure('', ragged);
    assert.match(stderr, /data\/in\.csv:3, block 'raw': the row has 2 fields where the header has 3/);
  });

  it('keeps every row with the wrong field count in the rejects, with its line', async () => {
    const { dir, lines, stdout } = await load('on_error: reject', ragged);
    assert.deepEqual(lines, ['id,name,city', '1,Ann,Paris', '4,Dan,Oslo']);
    assert.match(stdout, /data\/in\.csv:3: the row has 2 fields where the header has 3/);
    assert.match(stdout, /data\/in\.csv:4: the row has 4 fields where the header has 3/);
    const shown = await rejects(dir);
    assert.match(shown, /in\.csv:3: the row has 2 fields/);
    assert.match(shown, /in\.csv:4: the row has 4 fields/);
  });

  it('reads a ragged TSV by its tabs too', async () => {
    const stderr = await failure('', ragged.replaceAll(',', '\t'), 'tsv');
    assert.match(stderr, /data\/in\.tsv:3, block 'raw': the row has 2 fields/);
  });
});

describe('dates are never guessed (#2)', () => {
  it('parses ISO 8601 in a column declared DATE, with or without date_format', async () => {
    const { lines } = await load('columns: { d: DATE }', 'id,d\n1,2024-03-04\n2,2024-12-31\n');
    assert.deepEqual(lines, ['id,d', '1,2024-03-04', '2,2024-12-31']);
    const mixed = await load("columns: { d: DATE }, date_format: '%d/%m/%Y'", 'id,d\n1,2024-03-04\n2,31/12/2024\n');
    assert.deepEqual(mixed.lines, ['id,d', '1,2024-03-04', '2,2024-12-31']);
  });

  it('refuses 03/04/2024 in a DATE column without date_format, naming line and column', async () => {
    const stderr = await failure('columns: { d: DATE }', 'id,d\n1,2024-03-04\n2,03/04/2024\n');
    assert.match(stderr, /data\/in\.csv:3, block 'raw': column 'd': '03\/04\/2024' is not a date/);
  });

  it('tries a list of formats in order, and refuses a value two of them read differently', async () => {
    const data = 'id,d\n1,03/04/2024\n2,2024-03-04\n3,13/04/2024\n4,2024-02-30\n5,31/12/2024\n';
    const settings = "columns: { d: DATE }, date_format: ['%d/%m/%Y', '%m/%d/%Y']";
    const stderr = await failure(settings, data);
    assert.match(stderr, /data\/in\.csv:2, block 'raw': column 'd': '03\/04\/2024' is ambiguous: %d\/%m\/%Y reads 2024-04-03, %m\/%d\/%Y reads 2024-03-04/);
    const { dir, lines } = await load(`${settings}, on_error: reject`, data);
    assert.deepEqual(lines, ['id,d', '2,2024-03-04', '3,2024-04-13', '5,2024-12-31']);
    const shown = await rejects(dir);
    assert.match(shown, /in\.csv:2, column d: '03\/04\/2024' is ambiguous/);
    assert.match(shown, /in\.csv:5, column d: '2024-02-30' is not a date/);
  });

  it('takes one format as a string, and leaves undeclared day/month dates as text', async () => {
    const { lines } = await load("columns: { d: DATE }, date_format: '%d/%m/%Y'", 'd,e\n03/04/2024,03/04/2024\n');
    assert.deepEqual(lines, ['d,e', '2024-04-03,03/04/2024']);
  });

  it('names the real line when a quoted field before the bad date spans lines', async () => {
    const stderr = await failure('columns: { d: DATE }', 'note,d\n"two\nlines",2024-01-01\nok,2024-13-01\n');
    assert.match(stderr, /data\/in\.csv:4, block 'raw': column 'd'/);
  });
});

describe('numbers keep every digit (#3)', () => {
  it('reads integers beyond BIGINT and 2^53 exactly', async () => {
    const { lines } = await load('', 'id,n\n1,9007199254740993\n2,9223372036854775808\n3,-170141183460469231731687303715884105727\n');
    assert.deepEqual(lines, ['id,n', '1,9007199254740993', '2,9223372036854775808', '3,-170141183460469231731687303715884105727']);
  });

  it('reads decimals with more digits than a DOUBLE keeps exactly', async () => {
    const { lines } = await load('', 'id,x\n1,0.12345678901234567890\n2,1.5\n');
    assert.deepEqual(lines.map((l) => l.replace(/0+$/, '')), ['id,x', '1,0.1234567890123456789', '2,1.5']);
  });

  it('sizes a long number column on every value under on_error: reject too', async () => {
    const { dir, lines } = await load('columns: { id: INTEGER }, on_error: reject', 'id,x\n1,1.5\n2,0.12345678901234567890\nz,2.5\n');
    assert.deepEqual(lines.map((l) => l.replace(/0+$/, '').replace(/\.$/, '')), ['id,x', '1,1.5', '2,0.1234567890123456789']);
    assert.match(await rejects(dir), /in\.csv:4, column id:/);
  });

  it('keeps a plain decimal column a DOUBLE when every value fits one', async () => {
    const { dir } = await load('', 'id,x\n1,10.5\n2,0.25\n');
    const r = await sluice(dir, ['preview', 'p', 'raw']);
    assert.match(r.stdout, /x\s+DOUBLE/);
  });
});

describe('overflowing numbers are bad values (#4)', () => {
  const data = 'id,x\n1,1.5\n2,1e400\n3,-1e400\n4,2.5\n';
  for (const settings of ['columns: { x: DOUBLE }', '']) {
    it(`fails at 1e400 naming line and column (${settings || 'type detected'})`, async () => {
      const stderr = await failure(settings, data);
      assert.match(stderr, /data\/in\.csv:3, block 'raw': column 'x': '1e400' is out of range for DOUBLE/);
    });

    it(`rejects 1e400 and -1e400 with their lines (${settings || 'type detected'})`, async () => {
      const { dir, lines } = await load(`${settings ? `${settings}, ` : ''}on_error: reject`, data);
      assert.deepEqual(lines, ['id,x', '1,1.5', '4,2.5']);
      const shown = await rejects(dir);
      assert.match(shown, /in\.csv:3, column x: '1e400' is out of range/);
      assert.match(shown, /in\.csv:4, column x: '-1e400' is out of range/);
    });
  }

  it('refuses NaN and infinities unless allow_nan_infinity is set', async () => {
    const data = 'id,x\n1,1.5\n2,nan\n3,-inf\n';
    const stderr = await failure('columns: { x: DOUBLE }', data);
    assert.match(stderr, /data\/in\.csv:3, block 'raw': column 'x': 'nan' is not a finite number \(set allow_nan_infinity: true/);
    const { lines } = await load('columns: { x: DOUBLE }, allow_nan_infinity: true', data);
    assert.deepEqual(lines, ['id,x', '1,1.5', '2,nan', '3,-inf']);
  });
});

describe('European numbers (#5)', () => {
  it('reads decimal and thousands separators exactly', async () => {
    const data = 'id;price;total\n1;12,5;1.000,25\n2;3;2.345.678,5\n';
    const { lines } = await load("delimiter: ';', decimal: ',', thousands: '.', columns: { total: 'DECIMAL(12,2)' }", data);
    assert.deepEqual(lines, ['id,price,total', '1,12.5,1000.25', '2,3.0,2345678.50']);
  });

  it('refuses a number whose groups do not match the thousands separator, naming line and column', async () => {
    const data = 'id;total\n1;1.000,25\n2;1.00,5\n';
    const stderr = await failure("delimiter: ';', decimal: ',', thousands: '.', columns: { total: 'DECIMAL(12,2)' }", data);
    assert.match(stderr, /data\/in\.csv:3, block 'raw': column 'total': '1\.00,5' does not fit DECIMAL\(12,2\) exactly \(decimal ',', thousands '\.'\)/);
  });

  it('refuses a value with more decimals than its declared DECIMAL keeps instead of rounding', async () => {
    const { dir, lines, stdout } = await load("delimiter: ';', decimal: ',', columns: { total: 'DECIMAL(12,2)' }, on_error: reject", 'id;total\n1;1,25\n2;1,255\n');
    assert.deepEqual(lines, ['id,total', '1,1.25']);
    assert.match(stdout, /data\/in\.csv:3, column total: '1,255' does not fit DECIMAL\(12,2\) exactly/);
    assert.match(await rejects(dir), /in\.csv:3, column total:/);
  });
});

describe('long fields (#11)', () => {
  const field = 'x'.repeat(50 * 1024 * 1024);
  const data = `id,payload\n1,short\n2,"${field}"\n3,end\n`;

  it('fails at a 50 MB field beyond max_line_size naming its line, with a short message', async () => {
    const stderr = await failure('', data);
    const message = stderr.split('\n').find((l) => l.includes("block 'raw'")) ?? '';
    assert.match(message, /data\/in\.csv:3, block 'raw': a row of 52,428,804 bytes is longer than max_line_size \(2,000,000 bytes\); raise max_line_size \(row: 2,"x{37}…\)/);
    assert.ok(stderr.length < 1000, `the error is ${stderr.length} characters`);
  });

  it('loads a 50 MB field with a larger max_line_size (and the memory it needs)', async () => {
    const { lines } = await load("max_line_size: '64MB'", data, 'csv', 'data_plane:\n  memory_limit: 600MB\n');
    assert.equal(lines.length, 4);
    assert.equal(lines[2]!.length, field.length + 2);
    assert.equal(lines[3], '3,end');
  });
});

describe('a quoted empty field is not NULL (#12)', () => {
  it('keeps "" an empty string and reads only unquoted text as NULL', async () => {
    const { dir } = await load('', 'id,a,b\n1,"",\n2,x,y\n');
    const r = await sluice(dir, ['preview', 'p', 'raw']);
    assert.match(r.stdout, /1\s+NULL\n/);
    assert.doesNotMatch(r.stdout, /1\s+NULL\s+NULL/);
  });

  it('lets null name the unquoted text that means NULL, several if listed', async () => {
    // The key is quoted: YAML reads a bare `null:` key as no key at all.
    const { dir, lines } = await load(`"null": ['NA', '-']`, 'id,a,b\n1,NA,"NA"\n2,-,\n');
    assert.deepEqual(lines, ['id,a,b', '1,,NA', '2,,""']);
    const r = await sluice(dir, ['preview', 'p', 'raw']);
    assert.match(r.stdout, /1\s+NULL\s+NA\n/);
  });
});

describe('encodings (#13)', () => {
  // "café €5" in Windows-1252: é is 0xE9, € is 0x80 (a control character in ISO-8859-1).
  const cp1252 = Buffer.concat([Buffer.from('id,label\n1,caf'), Buffer.from([0xe9]), Buffer.from(' '), Buffer.from([0x80]), Buffer.from('5\n')]);
  for (const spelling of ['windows-1252', 'cp1252', 'Windows_1252']) {
    it(`reads Windows-1252 spelled ${spelling}`, async () => {
      const { lines } = await load(`encoding: ${spelling}`, cp1252);
      assert.deepEqual(lines, ['id,label', '1,café €5']);
    });
  }

  for (const spelling of ['latin1', 'ISO-8859-1', 'latin-1']) {
    it(`reads Latin-1 spelled ${spelling}`, async () => {
      const { lines } = await load(`encoding: ${spelling}`, Buffer.concat([Buffer.from('id,label\n1,caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
      assert.deepEqual(lines, ['id,label', '1,café']);
    });
  }

  it('names the line of a bad value in a transcoded file, with the file as the user named it', async () => {
    const data = Buffer.concat([cp1252, Buffer.from('2,x\n'), Buffer.from('oops,y\n')]);
    const { dir } = await load("encoding: cp1252, columns: { id: INTEGER }, on_error: reject", data);
    const shown = await rejects(dir);
    assert.match(shown, /data\/in\.csv:4, column id:/);
    assert.doesNotMatch(shown, /transcoded/);
  });

  it('refuses an unknown encoding before running, listing the accepted ones', async () => {
    const r = await sluice(project('encoding: ebcdic', 'a\n1\n'), ['run', 'p']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown encoding 'ebcdic'; use one of utf-8, utf8, .*cp1252/);
  });
});
