import type { Column, Row } from '../../core/data-plane/data-plane.ts';
import { ConfigError, SluiceError } from '../../core/errors.ts';
import { matchesPiiRule } from '../../core/lineage/pii-columns.ts';
import type { PrepareBlock } from '../../core/pipeline/pipeline.ts';
import type { BlockRunner } from '../../core/run/block-runner.ts';
import { keepSplitSide, splitColumn } from '../split-side.ts';
import { writeRunFile } from '../../core/run/run-files.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import { applyTransforms, oneHotColumns } from './apply-transforms.ts';
import { type LeakageOptions, findLeaks } from './check-leakage.ts';
import { fitTransforms } from './fit-transforms.ts';
import { type PrepareSettings, prepareSettingsSchema } from './prepare-settings.ts';
import { type Split, splitByGroup, splitByTime, splitStratified } from './split-rows.ts';


/** The settings of a prepare block, checked; a problem names the file and line of the block. */
export function checkPrepareBlock(block: PrepareBlock): PrepareSettings {
  const parsed = prepareSettingsSchema.safeParse(block.settings);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = issue.path.map(String).join('.');
  throw new ConfigError('prepare.bad_settings', `prepare: ${key ? `${key}: ` : ''}${issue.message}`, { location: locationOf(block) });
}

function locationOf(block: PrepareBlock): { file: string; line?: number; block: string } {
  return { file: block.declaredAt.file, block: block.name, ...(block.declaredAt.line !== undefined ? { line: block.declaredAt.line } : {}) };
}

/** The JSON file, kept with the run, holding the parameters a prepare block fitted on its train rows. */
export const fittedTransformsFile = 'fitted-transforms.json';

/**
 * Runs a no-code prepare block: its upstream's rows split into train and test
 * (a `split` column says which), with the listed features scaled and encoded
 * by parameters fitted on the train rows only. The parameters are kept with
 * the run as `fitted-transforms.json` (and logged); a leak (a late feature, a
 * group on both sides) fails the block naming the column and rows. The rows
 * are held in memory while it runs. The `__train` and `__test` blocks beside it
 * keep one side of its output each.
 */
export function createPrepareBlockRunner(): BlockRunner<PrepareBlock> {
  return async (block, context) => {
    if (block.part !== 'split') return keepSplitSide(block.part, context, 'rows');
    const settings = checkPrepareBlock(block);
    const input = context.inputs[0]!;
    if (input.output.columns.some((c) => c.name === splitColumn)) {
      throw new ConfigError('prepare.column_taken', `'${input.name}' already has a column '${splitColumn}', which a prepare block adds; rename it upstream`, { location: locationOf(block) });
    }
    refuseOneHotOfPersonalData(block, settings, context, input.name);
    const rows: Row[] = [];
    for await (const batch of context.session.stream(`SELECT * FROM ${quoteIdent(input.name)}`, { signal: context.signal, expectedRows: input.output.rows })) rows.push(...batch);
    const split = splitRows(rows, settings);
    const leaks = findLeaks(split, leakageOptions(settings));
    if (leaks.length) throw new SluiceError('toolkit.leakage', `the split leaks: ${leaks.map((leak) => leak.message).join('; ')}`, { location: locationOf(block) });
    const fitted = fitTransforms(split.train, settings.transform ?? {});
    context.logger.info(`fitted transforms (on ${split.train.length} train rows): ${JSON.stringify(fitted)}`);
    if (!context.outputs) throw new SluiceError('prepare.no_output_store', 'a prepare block keeps its fitted parameters in the output store, and this run has none');
    await writeRunFile(context.outputs, { pipeline: context.pipeline.name, runId: context.runId, block: block.name }, fittedTransformsFile, fitted);
    const sides = [...applyTransforms(split.train, fitted, 'train').map((row) => ({ ...row, [splitColumn]: 'train' })), ...applyTransforms(split.test, fitted, 'test').map((row) => ({ ...row, [splitColumn]: 'test' }))];
    const output = await context.session.storeRows(batches(sides), context.outputLocation, outputTypes(input.output.columns, fitted.columns));
    return { output, rowsIn: input.output.rows, summary: `train ${split.train.length}, test ${split.test.length}` };
  };
}

/**
 * One-hot encoding names a column after each category, and a column name is
 * shown to every role: a personal-data column encoded so would put its values
 * where no mask reaches (docs/pii.md). Marked is a column in the `pii:` of this
 * block or of a block it reads from, directly or further up, or matched by the
 * project's `pii.columns` rules.
 */
function refuseOneHotOfPersonalData(block: PrepareBlock, settings: PrepareSettings, context: Parameters<BlockRunner<PrepareBlock>>[1], upstream: string): void {
  const marked = new Set<string>((block.pii ?? []).map((c) => c.toLowerCase()));
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const found = context.pipeline.blocks.find((b) => b.name === name);
    for (const column of found?.pii ?? []) marked.add(column.toLowerCase());
    for (const up of found?.upstream ?? []) visit(up);
  };
  visit(upstream);
  const rules = context.project.settings.pii.columns;
  for (const [column, transform] of Object.entries(settings.transform ?? {})) {
    if (!('encode' in transform) || transform.encode !== 'one_hot') continue;
    if (marked.has(column.toLowerCase()) || matchesPiiRule(column, rules)) {
      throw new ConfigError('prepare.one_hot_personal_data', `prepare: transform: ${column}: one_hot names a column after each value, and '${column}' holds personal data; use encode: ordinal, or leave it out of the features`, { location: locationOf(block) });
    }
  }
}

function splitRows(rows: readonly Row[], settings: PrepareSettings): Split {
  const split = settings.split;
  switch (split.by) {
    case 'time':
      return splitByTime(rows, { column: split.column, cutoff: split.cutoff });
    case 'group':
      return splitByGroup(rows, { column: split.column, testFraction: split.test_fraction, seed: split.seed });
    case 'stratified':
      return splitStratified(rows, { column: split.column, testFraction: split.test_fraction, seed: split.seed, ...(split.key ? { key: split.key } : {}) });
  }
}

function leakageOptions(settings: PrepareSettings): LeakageOptions {
  return {
    ...(settings.leakage ? { asOf: settings.leakage.as_of, featureTimes: settings.leakage.feature_times } : {}),
    ...(settings.split.by === 'group' ? { group: settings.split.column } : {}),
    ...(settings.split.by === 'time' ? { time: settings.split.column } : {}),
  };
}

async function* batches(rows: readonly Row[]): AsyncIterable<Row[]> {
  for (let start = 0; start < rows.length; start += 4096) yield rows.slice(start, start + 4096);
}

/**
 * The upstream's columns keep their types (a DATE stays a DATE); scaled features
 * are DOUBLE and encoded ones INTEGER whatever their first values look like; the side is text.
 */
function outputTypes(upstream: readonly Column[], columns: Readonly<Record<string, { kind: string; categories?: readonly string[] }>>): Record<string, string> {
  const types: Record<string, string> = Object.fromEntries(upstream.filter((c) => !(c.name in columns)).map((c) => [c.name, c.type]));
  types[splitColumn] = 'VARCHAR';
  for (const [column, params] of Object.entries(columns)) {
    if (params.kind === 'standard' || params.kind === 'min_max') types[column] = 'DOUBLE';
    else if (params.kind === 'ordinal') types[column] = 'INTEGER';
    else for (const name of oneHotColumns(column, params.categories ?? [])) types[name] = 'INTEGER';
  }
  return types;
}
