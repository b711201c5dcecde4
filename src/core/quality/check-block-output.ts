import { existsSync } from 'node:fs';
import path from 'node:path';
import type { StoredOutput } from '../data-plane/data-plane.ts';
import { ConfigError, SluiceError } from '../errors.ts';
import type { Block } from '../pipeline/pipeline.ts';
import type { BlockResult, BlockRunContext } from '../run/block-runner.ts';
import { readKeptOutput } from '../output-store/read-kept-output.ts';
import type { CheckResultRecord } from './check-result.ts';
import type { CheckSpec } from './check-spec.ts';
import type { RelationshipSource } from './check-sql.ts';
import { evaluateChecks, failedChecksColumn, type Evaluation } from './evaluate-checks.ts';
import { profileAtStore } from './profile-from-sample.ts';
import type { OutputProfile } from './profile-output.ts';

/**
 * What happens to a block's output once it is stored and before the block is
 * done: its checks run (quarantine moving failing rows out), their results are
 * kept with the run, and the output that flows on is profiled. A failed check
 * of severity `error` fails the block. Returns the result with the output the
 * downstream blocks read.
 *
 * @param outputs the outputs this run has stored so far, which relationships checks may read
 * @param keptProfile the profile already kept for this very output, when the block hands an input
 *   on as its output (an exporter does): the same file needs no second profile
 */
export async function checkBlockOutput(
  block: Block,
  result: BlockResult,
  context: BlockRunContext,
  outputs: ReadonlyMap<string, StoredOutput>,
  keptProfile?: () => Promise<OutputProfile | undefined>,
): Promise<BlockResult> {
  const checks = block.checks ?? [];
  if (!result.output) {
    if (checks.length) throw new ConfigError('check.no_output', `block '${block.name}' has checks but stores no output to check; move the checks to the block whose output they judge`, { location: { ...block.declaredAt, block: block.name } });
    return result;
  }
  let output = result.output;
  let summary = result.summary;
  if (checks.length) {
    const evaluation = await runChecksOn(block, output, context, outputs, true);
    await recordCheckResults(context, block.name, evaluation);
    output = evaluation.output;
    if (evaluation.quarantined) await recordQuarantine(block.name, evaluation.quarantined, context);
    summary = [summary, describeEvaluation(evaluation)].filter(Boolean).join('; ');
    for (const failed of evaluation.results.filter((r) => r.status === 'failed' && r.severity === 'warn')) context.logger.warn(`check ${failed.name}: ${failed.message}`);
    const errors = evaluation.results.filter((r) => r.status === 'failed' && r.severity === 'error');
    if (errors.length) {
      const first = checks.find((c) => c.name === errors[0]!.name);
      throw new SluiceError('check.failed', `${errors.map((e) => `check ${e.name} failed: ${e.message}`).join('; ')}`, {
        location: { file: block.declaredAt.file, ...(first?.line ? { line: first.line } : {}), block: block.name },
      });
    }
  }
  // Checks that quarantined rows leave another output than the one handed on: that one is profiled anew.
  await keepProfile(block, output, context, output === result.output ? keptProfile : undefined);
  return { ...result, output, ...(summary ? { summary } : {}) };
}

/** The moved rows are an output of their own, `<block>__quarantine`, so preview and the UI show them like any other. */
async function recordQuarantine(block: string, quarantined: StoredOutput, context: BlockRunContext): Promise<void> {
  const now = new Date().toISOString();
  await context.store?.upsertBlockRun({
    runId: context.runId,
    block: `${block}__quarantine`,
    status: 'succeeded',
    startedAt: now,
    endedAt: now,
    rowsOut: quarantined.rows,
    output: quarantined.location,
    columns: quarantined.columns,
    summary: `${quarantined.rows} row${quarantined.rows === 1 ? '' : 's'} of ${block} failed quarantine checks (column ${failedChecksColumn} names them)`,
  });
}

/** A profile is a help to the reader, never a reason for a block to fail: a problem making it is logged. */
async function keepProfile(block: Block, output: StoredOutput, context: BlockRunContext, kept?: () => Promise<OutputProfile | undefined>): Promise<void> {
  try {
    const profile = (await kept?.()) ?? (await profileAtStore(context.session, output));
    await context.store?.putProfile({ runId: context.runId, block: block.name, profile });
  } catch (error) {
    if (context.signal.aborted) throw error;
    context.logger.warn(`could not profile the output of ${block.name}: ${(error as Error).message}`);
  }
}

/**
 * Runs a block's checks on a stored output. `quarantine` moves the failing
 * rows out of it; without it (re-checking a stored output) they only count.
 */
export async function runChecksOn(
  block: Block,
  output: StoredOutput,
  context: Pick<BlockRunContext, 'session' | 'project' | 'pipeline' | 'store' | 'outputs' | 'logicalDate' | 'dataInterval' | 'signal'>,
  outputs: ReadonlyMap<string, StoredOutput>,
  quarantine: boolean,
): Promise<Evaluation> {
  const checks = block.checks ?? [];
  const sources = await relationshipSources(block, checks, context, outputs);
  return evaluateChecks({
    session: context.session,
    block: block.name,
    file: block.declaredAt.file,
    output,
    checks,
    reference: referenceTime(context),
    relationshipSource: (check) => sources.get(check)!,
    quarantine,
    signal: context.signal,
  });
}

export async function recordCheckResults(context: Pick<BlockRunContext, 'store' | 'runId' | 'pipeline'>, block: string, evaluation: Evaluation): Promise<void> {
  const at = new Date().toISOString();
  const records: CheckResultRecord[] = evaluation.results.map((r) => ({ ...r, runId: context.runId, pipeline: context.pipeline.name, block, at }));
  await context.store?.putCheckResults(context.runId, block, records);
}

/** "checks: 4 passed, 1 warned; 3 rows quarantined" */
export function describeEvaluation(evaluation: Evaluation): string {
  const count = (status: 'passed' | 'failed', severity?: string): number => evaluation.results.filter((r) => r.status === status && (!severity || r.severity === severity)).length;
  const parts = [`${count('passed')} passed`];
  if (count('failed', 'warn')) parts.push(`${count('failed', 'warn')} warned`);
  if (count('failed', 'error')) parts.push(`${count('failed', 'error')} failed`);
  const moved = evaluation.quarantined ? `; ${evaluation.quarantined.rows} row${evaluation.quarantined.rows === 1 ? '' : 's'} quarantined` : '';
  return `checks: ${parts.join(', ')}${moved}`;
}

/** Freshness is judged against the end of the run's data interval, its logical date, or now. */
function referenceTime(context: Pick<BlockRunContext, 'logicalDate' | 'dataInterval'>): Date {
  if (context.dataInterval) return context.dataInterval.end;
  const logical = context.logicalDate ? Date.parse(context.logicalDate) : Number.NaN;
  return Number.isNaN(logical) ? new Date() : new Date(logical);
}

/** A block's latest stored output, outside this run's inputs, as a local file the data plane reads; undefined when none is kept. */
async function latestStoredOutput(context: Pick<BlockRunContext, 'pipeline' | 'store' | 'outputs'>, block: string): Promise<string | undefined> {
  const location = (await context.store?.latestOutput(context.pipeline.name, block))?.output;
  return location ? readKeptOutput(context.outputs, location) : undefined;
}

async function relationshipSources(
  block: Block,
  checks: readonly CheckSpec[],
  context: Pick<BlockRunContext, 'project' | 'pipeline' | 'store' | 'outputs'>,
  outputs: ReadonlyMap<string, StoredOutput>,
): Promise<Map<CheckSpec, RelationshipSource>> {
  const sources = new Map<CheckSpec, RelationshipSource>();
  for (const check of checks) {
    if (check.kind !== 'relationships') continue;
    const where = { file: block.declaredAt.file, ...(check.line ? { line: check.line } : {}), block: block.name };
    if (check.file !== undefined) {
      const file = path.resolve(context.project.root, check.file);
      if (!existsSync(file)) throw new ConfigError('check.file_missing', `check '${check.name}' of block '${block.name}' reads ${check.file}, which does not exist`, { location: where });
      const ext = path.extname(file).replace(/\.gz$/, '');
      const format = ext === '.parquet' ? 'parquet' : ext === '.json' || ext === '.jsonl' ? 'json' : 'csv';
      sources.set(check, { location: file, format });
      continue;
    }
    const to = check.to!;
    const stored = outputs.get(to)?.location ?? (await latestStoredOutput(context, to));
    if (!stored) {
      throw new ConfigError('check.target_missing', `check '${check.name}' of block '${block.name}' reads block '${to}', which has no stored output; list '${to}' upstream of '${block.name}' or run it first`, { location: where });
    }
    sources.set(check, { location: stored, format: 'parquet' });
  }
  return sources;
}
