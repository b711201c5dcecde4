import path from 'node:path';
import type { Row } from '../../core/data-plane/data-plane.ts';
import { ConfigError } from '../../core/errors.ts';
import type { ExamplesBlock } from '../../core/pipeline/pipeline.ts';
import type { BlockRunContext, BlockRunner } from '../../core/run/block-runner.ts';
import { keepSplitSide, splitColumn } from '../split-side.ts';
import { quoteIdent, quoteLiteral } from '../../core/sql/quote.ts';
import { dedupeTexts } from './dedupe-texts.ts';
import { type ExamplesSettings, examplesSettingsSchema } from './examples-settings.ts';
import { type TrainingExample, checkedExample, sideOf } from './write-training-jsonl.ts';


/** The settings of an examples block, checked; a problem names the file and line of the block. */
export function checkExamplesBlock(block: ExamplesBlock): ExamplesSettings {
  const parsed = examplesSettingsSchema.safeParse(block.settings);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = issue.path.map(String).join('.');
  throw new ConfigError('examples.bad_settings', `examples: ${key ? `${key}: ` : ''}${issue.message}`, { location: locationOf(block) });
}

function locationOf(block: ExamplesBlock): { file: string; line?: number; block: string } {
  return { file: block.declaredAt.file, block: block.name, ...(block.declaredAt.line !== undefined ? { line: block.declaredAt.line } : {}) };
}

/**
 * Runs a no-code examples block: each row of its one upstream becomes a
 * prompt/completion or chat example, rows without text on either side are
 * left out, repeated (and, with `similarity`, near-identical) examples are
 * dropped keeping the first, and each is put on the train or validation side
 * by a hash of the seed and its JSON line, as `writeTrainingJsonl` does, so
 * the same example lands on the same side whatever else the data holds. Its
 * output is the examples with a `split` column; the `__train` and
 * `__validation` blocks beside it keep one side each, for an exporter to write
 * as `.jsonl`. The examples are held in memory while it runs.
 */
export function createExamplesBlockRunner(): BlockRunner<ExamplesBlock> {
  return async (block, context) => {
    if (block.part !== 'examples') return keepSplitSide(block.part, context, 'example(s)');
    const settings = checkExamplesBlock(block);
    const input = context.inputs[0]!;
    const wanted = (settings.format === 'chat' ? [settings.user, settings.assistant] : [settings.prompt, settings.completion]) as [string, string];
    const names = new Set(input.output.columns.map((c) => c.name));
    for (const column of wanted) {
      if (!names.has(column)) throw new ConfigError('examples.unknown_column', `'${input.name}' has no column '${column}' (columns: ${[...names].join(', ')})`, { location: locationOf(block) });
    }
    const examples: TrainingExample[] = [];
    let withoutText = 0;
    const sql = `SELECT ${wanted.map((c) => `CAST(${quoteIdent(c)} AS VARCHAR) AS ${quoteIdent(c)}`).join(', ')} FROM ${quoteIdent(input.name)}`;
    for await (const batch of context.session.stream(sql, { signal: context.signal, expectedRows: input.output.rows })) {
      for (const row of batch) {
        const [first, second] = wanted.map((c) => (typeof row[c] === 'string' ? (row[c] as string) : ''));
        if (!first!.trim() || !second!.trim()) withoutText++;
        else examples.push(exampleOf(settings, first!, second!));
      }
    }
    const { duplicateOf, report } = dedupeTexts(examples.map(textOf), settings.similarity !== undefined ? { similarity: settings.similarity } : {});
    const kept = examples.filter((_, i) => duplicateOf[i] === null);
    const share = settings.validation_share ?? 0.1;
    const seed = String(settings.seed ?? 0);
    const rows: Row[] = kept.map((example) => {
      const checked = checkedExample(example, 0);
      const held = share > 0 && sideOf(seed, `${JSON.stringify(checked)}\n`) < share;
      return { ...fieldsOf(checked), [splitColumn]: held ? 'validation' : 'train' };
    });
    const validation = rows.filter((row) => row[splitColumn] === 'validation').length;
    const output = await storeExamples(rows, settings, context);
    const notes = [withoutText ? `${withoutText} row(s) without text left out` : '', report.removed ? `${report.removed} duplicate(s) dropped` : ''].filter(Boolean);
    return { output, rowsIn: input.output.rows, summary: `train ${rows.length - validation}, validation ${validation}${notes.length ? `; ${notes.join(', ')}` : ''}` };
  };
}

function exampleOf(settings: ExamplesSettings, first: string, second: string): TrainingExample {
  if (settings.format === 'prompt_completion') return { prompt: first, completion: second };
  return {
    messages: [...(settings.system ? [{ role: 'system' as const, content: settings.system }] : []), { role: 'user' as const, content: first }, { role: 'assistant' as const, content: second }],
  };
}

/** The text an example is compared by: both sides, so the same question with another answer is kept. */
function textOf(example: TrainingExample): string {
  return 'messages' in example ? example.messages.map((m) => m.content).join('\n') : `${example.prompt}\n${example.completion}`;
}

/** A chat example's messages are kept as JSON text on the way in, and become a list of structs in the output. */
function fieldsOf(example: TrainingExample): Row {
  return 'messages' in example ? { messages: JSON.stringify(example.messages) } : { prompt: example.prompt, completion: example.completion };
}

/**
 * Stores the examples. A chat example's `messages` is a list of
 * `{ role, content }` structs, so a `.jsonl` exporter writes
 * `{"messages":[{"role":"user","content":"..."}]}` as chat fine-tuning reads it.
 */
async function storeExamples(rows: readonly Row[], settings: ExamplesSettings, context: BlockRunContext) {
  async function* batches(): AsyncIterable<Row[]> {
    for (let start = 0; start < rows.length; start += 4096) yield rows.slice(start, start + 4096);
  }
  if (settings.format === 'prompt_completion') {
    return context.session.storeRows(batches(), context.outputLocation, { prompt: 'VARCHAR', completion: 'VARCHAR', [splitColumn]: 'VARCHAR' });
  }
  const staged = await context.session.storeRows(batches(), path.join(context.tempDir, 'examples.parquet'), { messages: 'VARCHAR', [splitColumn]: 'VARCHAR' });
  await context.session.attach('sluice_examples_staged', staged);
  return context.session.storeQuery(
    `SELECT from_json(messages, ${quoteLiteral('[{"role":"VARCHAR","content":"VARCHAR"}]')}) AS messages, ${quoteIdent(splitColumn)} FROM ${quoteIdent('sluice_examples_staged')}`,
    context.outputLocation,
    context.signal,
  );
}
