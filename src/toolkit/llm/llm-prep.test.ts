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

  // Support answers: each near-identical one repeats the first of its line with a word changed, added or
  // dropped, or a typo; the distinct ones share a topic and many words but say something else.
  const answers = [
    ['You can reset your password from the account settings page, then sign in again with the new one.', 'You can reset your password from the account settings page, then log in again with the new one.', 'You can reset the password from the account settings page, then sign in again with the new one!'],
    ['Refunds are paid back to the original card within five to seven business days of the return arriving.', 'Refunds are paid back to the original card within five to seven working days of the return arriving.'],
    ['Our support team answers chat messages every weekday from nine in the morning until six in the evening.', 'Our support team answers chat messages every weekday from nine in the morning until six in the evening, UK time.'],
    ['To change the delivery address of an order that has not shipped yet, open the order and choose Edit address.', 'To change the delivery adress of an order that has not shipped yet, open the order and choose Edit address.'],
    ['You can change the email address on your account from the profile page, then confirm it from your inbox.'],
    ['Refunds for digital downloads are not possible once the file has been downloaded more than once.'],
    ['Our warehouse ships orders every weekday, and orders placed before two in the afternoon leave the same day.'],
    ['To cancel an order that has not shipped yet, open the order and choose Cancel order, then confirm.'],
    ['Gift cards can be spent on anything in the shop except other gift cards, and they never expire.'],
    ['Passwords must be at least twelve characters long and may not repeat one of your last five passwords.'],
  ];

  it('with a similarity, also removes near-identical texts and keeps distinct ones on the same topic', () => {
    const texts = answers.flat();
    const firstOfLine = answers.flatMap((line) => line.map(() => texts.indexOf(line[0]!)));
    const { duplicateOf, report } = dedupeTexts(texts, { similarity: 0.7 });
    assert.deepEqual(duplicateOf, firstOfLine.map((first, i) => (first === i ? null : first)));
    assert.deepEqual(report, { values: 15, kept: 10, removed: 5 });
    assert.deepEqual(dedupeTexts(texts).report.removed, 0, 'without a similarity only normalised copies are removed');
    assert.deepEqual(dedupeTexts(texts, { similarity: 0.7, seed: 99 }).duplicateOf, duplicateOf, 'another seed decides these the same');
    assert.throws(() => dedupeTexts(texts, { similarity: 1.5 }), /similarity must be above 0/);
  });

  it('with a similarity, keeps distinct texts among many and finds the near copies planted in them', () => {
    // 8,000 generated sentences of 24 words each, drawn from 4,000 words; 100 of them copied with one word changed.
    let state = 5;
    const next = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return Math.floor((state / 0x100000000) * n);
    };
    const words = Array.from({ length: 4000 }, (_, i) => `w${i.toString(36)}x${(i * 7919).toString(36)}`);
    const texts = Array.from({ length: 8_000 }, () => Array.from({ length: 24 }, () => words[next(words.length)]).join(' '));
    const planted = Array.from({ length: 100 }, (_, i) => {
      const copy = texts[i * 80]!.split(' ');
      copy[next(24)] = words[next(words.length)]!;
      return copy.join(' ');
    });
    const { duplicateOf } = dedupeTexts([...texts, ...planted], { similarity: 0.7 });
    assert.equal(duplicateOf.slice(0, texts.length).filter((d) => d !== null).length, 0, 'no distinct text is removed');
    const caught = planted.filter((_, i) => duplicateOf[texts.length + i] === i * 80).length;
    assert.ok(caught >= 95, `${caught} of 100 near copies found`);
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
