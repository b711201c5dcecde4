import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addBlock, parsePipelineDocument, removeBlock, renameBlock, setTriggers, updateBlock } from './pipeline-document.ts';

const text = `# The pipeline.
blocks:
  # first
  - name: a # the source
    file: blocks/a.sql
    settings: { keep: 1, drop: 2 } # tuned
  - { name: b, file: blocks/b.sql, upstream: [a] }
`;

describe('pipeline document edits', () => {
  it('adds, renames, rewires and removes blocks, keeping every comment', () => {
    const doc = parsePipelineDocument(text, 'p.yaml');
    addBlock(doc, { name: 'c', file: 'blocks/c.sql', upstream: ['b'] });
    renameBlock(doc, 'a', 'source');
    updateBlock(doc, 'source', { settings: { keep: 1, added: 'x' } });
    const out = doc.toString();
    for (const comment of ['# The pipeline.', '# first', '# the source', '# tuned']) assert.ok(out.includes(comment), comment);
    assert.match(out, /upstream: \[ source \]/);
    assert.match(out, /settings: \{ keep: 1, added: x \}/);
    removeBlock(doc, 'b');
    const after = doc.toJS() as { blocks: { name: string; upstream?: string[] }[] };
    assert.deepEqual(after.blocks.map((b) => [b.name, b.upstream ?? []]), [['source', []], ['c', []]]);
  });

  it('grows an empty block list into one block per item', () => {
    const doc = parsePipelineDocument('blocks: []\n', 'p.yaml');
    addBlock(doc, { name: 'a', file: 'blocks/a.sql' });
    assert.equal(doc.toString(), 'blocks:\n  - name: a\n    file: blocks/a.sql\n');
  });

  it('sets, disables and removes the schedule and the API trigger', () => {
    const doc = parsePipelineDocument(text, 'p.yaml');
    setTriggers(doc, { schedule: { cron: '0 6 * * *' }, apiEnabled: false });
    setTriggers(doc, { scheduleEnabled: false });
    assert.deepEqual((doc.toJS() as Record<string, unknown>).schedule, { cron: '0 6 * * *', enabled: false });
    assert.deepEqual((doc.toJS() as Record<string, unknown>).api, { enabled: false });
    setTriggers(doc, { schedule: null, apiEnabled: true });
    assert.equal((doc.toJS() as Record<string, unknown>).schedule, undefined);
    assert.ok(doc.toString().startsWith('# The pipeline.'));
  });

  it('names a block that is not there', () => {
    const doc = parsePipelineDocument(text, 'p.yaml');
    assert.throws(() => removeBlock(doc, 'ghost'), /no block 'ghost'/);
    assert.throws(() => addBlock(doc, { name: 'a' }), /already has a block named 'a'/);
  });
});
