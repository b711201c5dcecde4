import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sluice, tempDir, writeProject } from './cli-helpers.ts';

// Three kinds of secret-backed values, none used by a connection of the run.
const envSecret = 'env-Secret-9f3a1c';
const fileSecret = 'file-Secret-2b7d4e';
const literalSecret = 'literal-Secret-5c8e0a';

describe('what a TypeScript block prints', () => {
  const { dir, cleanup } = tempDir('sluice-print-');
  after(cleanup);
  before(() =>
    writeProject(dir, {
      'sluice.yaml': 'name: printing\n',
      'connections.yaml': [
        'connections:',
        '  unused_api:',
        '    connector: postgres',
        '    host: 127.0.0.1',
        '    password: ${SLUICE_PRINT_TEST_PASSWORD}',
        '  unused_ui:',
        '    connector: postgres',
        '    password: ${SLUICE_PRINT_TEST_UI_PASSWORD}',
        '  unused_literal:',
        '    connector: postgres',
        `    password: ${literalSecret}`,
        '',
      ].join('\n'),
      '.sluice/secrets.env': `SLUICE_PRINT_TEST_UI_PASSWORD=${fileSecret}\n`,
      'pipelines/chatty.yaml': 'blocks:\n  - { name: talk, file: blocks/talk.ts }\n',
      'blocks/talk.ts': `import { defineLoader } from 'sluice';
export default defineLoader(async (_, ctx) => {
  console.log('env says', process.env.SLUICE_PRINT_TEST_PASSWORD);
  console.error('file says ${fileSecret}');
  console.warn('literal says ${literalSecret}');
  process.stdout.write('partial line, ');
  process.stdout.write('then its end\\n');
  ctx.log.info('ctx says ' + process.env.SLUICE_PRINT_TEST_PASSWORD);
  await new Promise((r) => setTimeout(r, 10));
  console.info('after a wait');
  return [{ ok: true }];
});
`,
    }),
  );

  it('masks every secret-backed value of the project and stores the lines with the block logs', async () => {
    const r = await sluice(dir, ['run', 'chatty'], { SLUICE_PRINT_TEST_PASSWORD: envSecret });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    for (const secret of [envSecret, fileSecret, literalSecret]) {
      assert.ok(!(r.stdout + r.stderr).includes(secret), `the terminal shows ${secret}:\n${r.stdout}${r.stderr}`);
    }
    const runId = /Run succeeded (\S+?):?\s/.exec(r.stdout + r.stderr)?.[1] ?? assert.fail(r.stdout);
    const logs = await sluice(dir, ['logs', runId]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /info\s+env says \*\*\*/);
    assert.match(logs.stdout, /warn\s+file says \*\*\*/);
    assert.match(logs.stdout, /warn\s+literal says \*\*\*/);
    assert.match(logs.stdout, /info\s+partial line, then its end/);
    assert.match(logs.stdout, /info\s+ctx says \*\*\*/);
    assert.match(logs.stdout, /info\s+after a wait/);
    assert.equal([...logs.stdout.matchAll(/ctx says/g)].length, 1, 'ctx.log is stored once');
    for (const secret of [envSecret, fileSecret, literalSecret]) assert.ok(!logs.stdout.includes(secret));
  });
});
