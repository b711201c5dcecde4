import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeTrainingJsonl } from '../../src/toolkit/llm/write-training-jsonl.ts';
import { sluice, tempDir, writeProject } from './cli-helpers.ts';

/** 40 help-desk answers, each of other words (a seeded pick from a vocabulary), so no two are near copies. */
const vocabulary = 'invoice refund parcel courier password browser printer warranty voucher basket receipt tracking address payment card account email phone battery screen cable charger update login session cookie report export import backup folder calendar meeting invite booking seat ticket delivery return label'.split(' ');
const pick = (i: number, k: number): string => vocabulary[(i * 31 + k * 17 + ((i * k) % 7)) % vocabulary.length]!;
const answers = Array.from({ length: 40 }, (_, i) => ({
  question: `Question ${i}: what about my ${pick(i, 1)} and ${pick(i, 2)}?`,
  answer: `Check the ${pick(i, 3)} first, then the ${pick(i, 4)} with your ${pick(i, 5)}; if the ${pick(i, 6)} still fails, send the ${pick(i, 7)} and ${pick(i, 8)} to us.`,
}));
const rows = [
  ...answers,
  { ...answers[3]! }, // repeated as written
  { question: answers[5]!.question.toUpperCase(), answer: answers[5]!.answer }, // differs only in case: the same text
  { question: answers[8]!.question, answer: answers[8]!.answer.replace('Check the', 'Look at the') }, // a word changed
  { question: 'What are your opening hours?', answer: '' },
  { question: '', answer: 'We open at nine.' },
];
const csv = ['question,answer', ...rows.map((r) => `"${r.question}","${r.answer}"`), ''].join('\n');

const pipeline = (examples: string): string => `blocks:
  - name: raw_answers
    connector: file
    settings: { path: data/answers.csv }
  - name: training
    upstream: [raw_answers]
    examples:
${examples}
  - name: export_train
    upstream: [training__train]
    connector: file
    settings: { path: out/train.jsonl }
  - name: export_validation
    upstream: [training__validation]
    connector: file
    settings: { path: out/validation.jsonl }
`;

const lines = (file: string): unknown[] => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown);

describe('a no-code examples block: training examples for a language model, written as JSONL train and validation files', () => {
  const { dir, cleanup } = tempDir('sluice-examples-');
  after(cleanup);
  before(() =>
    writeProject(dir, {
      'sluice.yaml': 'name: assistant\n',
      'data/answers.csv': csv,
      'pipelines/completion.yaml': pipeline('      format: prompt_completion\n      prompt: question\n      completion: answer\n      validation_share: 0.25\n      seed: 7\n      similarity: 0.7\n'),
      'pipelines/chat.yaml': pipeline("      format: chat\n      system: 'You are the help desk of Example Ltd.'\n      user: question\n      assistant: answer\n      validation_share: 0.25\n      seed: 7\n"),
      'pipelines/bad.yaml': pipeline('      format: chat\n      prompt: question\n      user: question\n      assistant: answer\n'),
    }),
  );

  it('writes each example once, on the side writeTrainingJsonl puts it with the same seed, dropping repeats, near copies and rows without text', async () => {
    const r = await sluice(dir, ['run', 'completion']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    // 45 rows: 2 without text, 2 repeats (as written and in other case), 1 near copy.
    assert.match(r.stdout, /training +transformer 45 in → 40 out .* train \d+, validation \d+; 2 row\(s\) without text left out, 3 duplicate\(s\) dropped\n/);
    const train = lines(path.join(dir, 'out/train.jsonl'));
    const validation = lines(path.join(dir, 'out/validation.jsonl'));
    assert.equal(train.length + validation.length, 40);
    assert.ok(validation.length > 0 && train.length > validation.length);
    // The same examples through the TypeScript function, with the same seed and share, land on the same sides.
    const expected = { train: path.join(dir, 'expected/train.jsonl'), validation: path.join(dir, 'expected/validation.jsonl') };
    await writeTrainingJsonl(answers.map((a) => ({ prompt: a.question, completion: a.answer })), { trainPath: expected.train, validationPath: expected.validation, validationShare: 0.25, seed: 7 });
    assert.deepEqual(train, lines(expected.train));
    assert.deepEqual(validation, lines(expected.validation));
    assert.deepEqual(Object.keys(train[0] as object), ['prompt', 'completion'], 'only the fields of the shape');
  });

  it('writes chat examples as a messages list, with the system message first', async () => {
    const r = await sluice(dir, ['run', 'chat']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    // Without similarity the near copy stays.
    assert.match(r.stdout, /training +transformer 45 in → 41 out .*; 2 row\(s\) without text left out, 2 duplicate\(s\) dropped\n/);
    assert.match(r.stdout, /training__validation +transformer 41 in → \d+ out .* \d+ validation example\(s\)\n/);
    const all = [...lines(path.join(dir, 'out/train.jsonl')), ...lines(path.join(dir, 'out/validation.jsonl'))];
    assert.equal(all.length, 41);
    const first = all.find((e) => JSON.stringify(e).includes('Question 0:'));
    assert.deepEqual(first, {
      messages: [
        { role: 'system', content: 'You are the help desk of Example Ltd.' },
        { role: 'user', content: answers[0]!.question },
        { role: 'assistant', content: answers[0]!.answer },
      ],
    });
  });

  it('refuses settings of another format in validate, naming the file and line of the block', async () => {
    const r = await sluice(dir, ['validate']);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /pipelines\/bad\.yaml:5.*block 'training': examples: prompt: not a setting of the chat format/);
  });
});
