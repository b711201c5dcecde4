import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cdcPositionOf } from './cdc-position.ts';

const byText = (a: string, b: string): number => a.localeCompare(b);
const stored = (stream: string, state: Record<string, unknown>) => ({ pipeline: 'p', stream, state, updatedAt: '2026-01-01T00:00:00.000Z' });

describe('the committed CDC position', () => {
  it('is the earliest position of the streams, with the columns each was made with', () => {
    const position = cdcPositionOf(
      [stored('a', { mode: 'cdc', position: '0/B', source_commit_time: null, columns: ['id'] }), stored('b', { mode: 'cdc', position: '0/A', source_commit_time: '2026-01-01T00:00:00.000Z', columns: ['id', 'x'] })],
      ['a', 'b'],
      byText,
    );
    assert.equal(position?.position, '0/A');
    assert.deepEqual(position?.columns, { a: ['id'], b: ['id', 'x'] });
  });

  it('reads state committed under the earlier `lsn` key, so existing pipelines continue without a new snapshot', () => {
    assert.equal(cdcPositionOf([stored('a', { mode: 'cdc', lsn: '16/B374D848', source_commit_time: null })], ['a'], byText)?.position, '16/B374D848');
  });

  it('is undefined when a stream has no state, so every stream starts again from one snapshot', () => {
    assert.equal(cdcPositionOf([stored('a', { mode: 'cdc', position: '0/A' })], ['a', 'b'], byText), undefined);
    assert.equal(cdcPositionOf([stored('a', { cursor: 3 })], ['a'], byText), undefined);
  });
});
