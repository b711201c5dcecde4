import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { dedupeTexts } from './dedupe-texts.ts';
import { writeTrainingJsonl, type TrainingExample } from './write-training-jsonl.ts';

describe('dedupeTexts', () => {
  it('removes texts that differ only in case, punctuation, whitespace or Unicode form, keeping the first', () => {
    const { duplicateOf, report } = dedupeTexts(['Hello, world!', 'hello   world', 'Hello there', 'HELLO WORLD.', 'ﬁne', 'fine', { messages: [{ role: 'user', content: 'Hi' }] }, { messages: [{ role: 'user', content: 'hi' }] }]);
    assert.deepEqual(duplicateOf, [null, 0, null, 0, null, 4, null, 6]);
    assert.deepEqual(report, { values: 8, kept: 4, removed: 4 });
  });
});

describe('writeTrainingJsonl', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-jsonl-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const examples = (n: number): TrainingExample[] => Array.from({ length: n }, (_, i) => (i % 2 ? { prompt: `Q${i}`, completion: `A${i}` } : { messages: [{ role: 'user' as const, content: `Q${i}` }, { role: 'assistant' as const, content: `A${i}` }] }));
  const read = (file: string): string[] => readFileSync(path.join(dir, file), 'utf8').split('\n').filter(Boolean);

  it('streams examples as JSON lines into train and validation files, split reproducibly by the seed', async () => {
    async function* stream() {
      yield* examples(2000);
    }
    const written = await writeTrainingJsonl(stream(), { trainPath: path.join(dir, 'a/train.jsonl'), validationPath: path.join(dir, 'a/validation.jsonl'), validationShare: 0.2, seed: 7 });
    assert.equal(written.train + written.validation, 2000);
    assert.ok(written.validation > 320 && written.validation < 480, `about 20% held out (${written.validation})`);
    assert.deepEqual(read('a/train.jsonl').length, written.train);
    const lines = [...read('a/train.jsonl'), ...read('a/validation.jsonl')].map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(lines.find((e) => e.prompt === 'Q1'), { prompt: 'Q1', completion: 'A1' });
    assert.deepEqual(lines.find((e) => JSON.stringify(e).includes('"Q0"')), { messages: [{ role: 'user', content: 'Q0' }, { role: 'assistant', content: 'A0' }] });
    // The same seed over fewer examples, in another order, puts each on the same side.
    await writeTrainingJsonl(examples(500).reverse(), { trainPath: path.join(dir, 'b/train.jsonl'), validationPath: path.join(dir, 'b/validation.jsonl'), validationShare: 0.2, seed: 7 });
    const heldOut = new Set(read('a/validation.jsonl'));
    for (const line of read('b/validation.jsonl')) assert.ok(heldOut.has(line));
    for (const line of read('b/train.jsonl')) assert.ok(!heldOut.has(line));
    const otherSeed = await writeTrainingJsonl(examples(2000), { trainPath: path.join(dir, 'c/train.jsonl'), validationPath: path.join(dir, 'c/validation.jsonl'), validationShare: 0.2, seed: 8 });
    assert.notDeepEqual(read('c/validation.jsonl'), read('a/validation.jsonl'));
    assert.equal(otherSeed.train + otherSeed.validation, 2000);
  });

  it('writes only the fields of each shape and refuses an example of neither, naming its position', async () => {
    const files = { trainPath: path.join(dir, 'd/train.jsonl'), validationPath: path.join(dir, 'd/validation.jsonl'), validationShare: 0 };
    await writeTrainingJsonl([{ prompt: 'p', completion: 'c', secret: 'x' } as TrainingExample], files);
    assert.deepEqual(read('d/train.jsonl'), ['{"prompt":"p","completion":"c"}']);
    await assert.rejects(writeTrainingJsonl([{ prompt: 'p', completion: 'c' }, { text: 'no' } as never], files), /example 1 is neither/);
    await assert.rejects(writeTrainingJsonl([{ messages: [{ role: 'robot', content: 'x' }] } as never], files), /example 0: message 0 needs a role/);
  });
});
