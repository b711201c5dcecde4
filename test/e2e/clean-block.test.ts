import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sluice, tempDir, writeProject } from './cli-helpers.ts';

const pipeline = (phoneSettings: string): string => `blocks:
  - name: raw_customers
    connector: file
    settings: { path: data/customers.csv }
  - name: clean_customers
    upstream: [raw_customers]
    clean:
      signup_date: { tool: dates, formats: [YYYY-MM-DD, MM/DD/YYYY, relative] }
      phone: { tool: phones${phoneSettings} }
      state: { tool: us_states }
  - name: export_customers
    upstream: [clean_customers]
    connector: file
    settings: { path: out/customers.csv }
`;

describe('a no-code clean block run by sluice run', () => {
  const { dir, cleanup } = tempDir('sluice-clean-');
  after(cleanup);
  before(() =>
    writeProject(dir, {
      'sluice.yaml': 'name: cleaning\n',
      'data/customers.csv': [
        'id,signup_date,phone,state,amount',
        '1,2024-03-05,(415) 555-2671,Calif.,10.50',
        '2,03/14/2024,555-2671,new york,3.25',
        '3,yesterday,+44 20 7946 0958,Carolina,',
        '4,TBD,,N.Y.,7',
        '',
      ].join('\n'),
      'pipelines/customers.yaml': pipeline(', region: US'),
      'pipelines/bad.yaml': pipeline(', region: usa'),
    }),
  );

  it('cleans the columns in place, adds flag and reason columns, keeps the rest and counts the flags in the run summary', async () => {
    const r = await sluice(dir, ['run', 'customers', '--date', '2024-03-10']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /clean_customers +transformer +4 in → 4 out .* flagged: signup_date 1, phone 1, state 1\n/);
    assert.equal(
      readFileSync(path.join(dir, 'out/customers.csv'), 'utf8'),
      [
        'id,signup_date,signup_date_flag,signup_date_reason,phone,phone_flag,phone_reason,state,state_flag,state_reason,amount',
        '1,2024-03-05,,,+14155552671,,,CA,,,10.5',
        '2,2024-03-14,,,,invalid,"""555-2671"" has too few digits for US",NY,,,3.25',
        '3,2024-03-09,,,+442079460958,,,,ambiguous,"""Carolina"" is as close to North Carolina as to South Carolina",',
        '4,,unrecognised,"""TBD"" is not a date this tool reads",,,,NY,,,7.0',
        '',
      ].join('\n'),
    );
  });

  it('counts relative dates from the run\'s logical date, so a rerun of a day cleans the same way', async () => {
    const r = await sluice(dir, ['run', 'customers', '--date', '2025-01-01']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(readFileSync(path.join(dir, 'out/customers.csv'), 'utf8'), /\n3,2024-12-31,,,/);
  });

  it('refuses bad tool settings, naming file and line, in validate and in run', async () => {
    const validate = await sluice(dir, ['validate']);
    assert.notEqual(validate.code, 0);
    assert.match(validate.stdout + validate.stderr, /pipelines\/bad\.yaml:9.*column 'phone': tool 'phones': region: an ISO 3166 alpha-2 region in capitals, e\.g\. US/);
    const run = await sluice(dir, ['run', 'bad', '--date', '2024-03-10']);
    assert.equal(run.code, 2, run.stderr + run.stdout);
    assert.match(run.stdout + run.stderr, /pipelines\/bad\.yaml:9.*region: an ISO 3166 alpha-2 region in capitals/);
  });
});
