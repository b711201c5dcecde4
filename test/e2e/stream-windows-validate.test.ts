import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sluice, tempDir, writeProject } from './cli-helpers.ts';

const stream = (window: string, extra: readonly string[] = []) =>
  ['kind: streaming', 'source: { type: redis_streams, stream: s }', 'payload: { columns: { ts: TIMESTAMP, v: BIGINT } }', window, ...extra, 'sinks:', '  - { connection: pg, table: t }', ''].join('\n');

describe('sluice validate on windows and stream triggers', () => {
  const { dir, cleanup } = tempDir('sluice-windows-validate-');
  after(cleanup);

  it('names the file, line and setting of each bad window setting and stream trigger', async () => {
    writeProject(dir, {
      'sluice.yaml': 'name: windows_validate\n',
      'connections.yaml': 'connections:\n  pg: { connector: postgres, url: "postgres://127.0.0.1/none" }\n',
      'pipelines/good.yaml': stream('window: { type: tumbling, time: ts, size: 1m, aggregates: { n: count } }'),
      'pipelines/hop.yaml': stream('window: { type: hopping, time: ts, size: 10s, hop: 1m, aggregates: { n: count } }'),
      'pipelines/agg.yaml': stream('window: { type: session, time: ts, gap: 5m, aggregates: { n: median(v) } }'),
      'pipelines/perbatch.yaml': stream('window: { type: tumbling, time: ts, size: 1m, aggregates: { n: count } }', ['transformers:', '  - { name: all, file: t.ts, per: batch }']),
      't.ts': 'export default (rows: unknown[]) => rows;\n',
      'pipelines/plain.yaml': stream(''),
      'pipelines/report.yaml': 'on_stream: { pipeline: plain, window_closed: true }\nblocks:\n  - { name: a, file: a.sql }\n',
      'pipelines/nowhere.yaml': 'on_stream: { pipeline: missing, every_records: 10 }\nblocks:\n  - { name: a, file: a.sql }\n',
      'pipelines/empty.yaml': 'on_stream: { pipeline: good }\nblocks:\n  - { name: a, file: a.sql }\n',
      'a.sql': 'SELECT 1 AS x\n',
    });
    const r = await sluice(dir, ['validate']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const out = r.stdout + r.stderr;
    assert.match(out, /✓ good/);
    assert.match(out, /pipelines\/hop\.yaml:4:\d+.*window\.hop.*hop must be at most size/);
    assert.match(out, /pipelines\/agg\.yaml:4:\d+.*window\.aggregates\.n.*an aggregate is count/);
    assert.match(out, /pipelines\/perbatch\.yaml:\d+:\d+.*transformer 'all': a windowed pipeline takes per-record/);
    assert.match(out, /pipelines\/report\.yaml.*on_stream\.window_closed: streaming pipeline 'plain' has no window/);
    assert.match(out, /pipelines\/nowhere\.yaml.*on_stream\.pipeline: 'missing' is not a streaming pipeline/);
    assert.match(out, /pipelines\/empty\.yaml.*on_stream: give window_closed: true, every_records: N, or both/);
  });
});
