import path from 'node:path';
import { loadProject } from '../../core/project/load-project.ts';
import type { SampledFields } from '../../toolkit/mapping/field-source.ts';
import { planMappingBlock } from '../../toolkit/mapping/mapping-block.ts';
import { mappingLines, type AcceptedPair } from '../../toolkit/mapping/mapping-lines.ts';
import { suggestBetweenSources, type SourceMapping } from '../../toolkit/mapping/suggest-between-sources.ts';
import { defaultMappingThreshold, type FieldSuggestion } from '../../toolkit/mapping/suggest-field-mapping.ts';
import { addSqlBlock } from '../../workspace/add-sql-block.ts';
import { createEngine } from '../../engine/create-engine.ts';
import { bold, dim, formatCount, green, yellow, type Output } from '../output.ts';
import { UsageError } from '../usage-error.ts';

export interface MapSuggestOptions {
  readonly threshold?: string | undefined;
  readonly many?: boolean | undefined;
  readonly json?: boolean | undefined;
  /** `SOURCE=TARGET` pairs that replace a suggestion. */
  readonly set?: readonly string[] | undefined;
  /** Source columns whose suggestion is dropped. */
  readonly reject?: readonly string[] | undefined;
  /** Write the accepted mapping as a SQL block: a file path, or true for blocks/map_<source>.sql. */
  readonly write?: string | boolean | undefined;
  readonly pipeline?: string | undefined;
}

/**
 * `sluice map suggest SOURCE TARGET`: how the source's columns map onto the
 * target's, each with a confidence and a reason; with `--write`, the accepted
 * mapping becomes a SQL block in the pipeline.
 */
export async function mapSuggestCommand(sourceText: string, targetText: string, options: MapSuggestOptions, out: Output): Promise<number> {
  const threshold = options.threshold === undefined ? defaultMappingThreshold : Number(options.threshold);
  if (!(threshold >= 0 && threshold <= 1)) throw new UsageError(`--threshold must be a number from 0 to 1, not '${options.threshold}'`);
  const project = loadProject(process.cwd());
  const engine = await createEngine(project);
  let mapping: SourceMapping;
  try {
    const session = await (await engine.dataPlane()).openSession();
    try {
      const context = { project, store: engine.store, outputs: engine.outputs, connectors: engine.connectors, session };
      mapping = await suggestBetweenSources({ source: sourceText, target: targetText, threshold, manyToOne: options.many }, context);
    } finally {
      await session.close();
    }
  } finally {
    await engine.close();
  }
  const { source, from, onto, suggestions } = mapping;
  const accepted = acceptPairs(suggestions, options);
  if (options.json) out.line(JSON.stringify({ source: summary(from), target: summary(onto), threshold, suggestions }, null, 2));
  else showSuggestions(from, onto, suggestions, accepted, out);
  if (options.write === undefined || options.write === false) return 0;

  const file = typeof options.write === 'string' ? options.write : `blocks/map_${blockNameOf(from.label)}.sql`;
  const name = path.basename(file, '.sql');
  const plan = planMappingBlock(project, engine.connectors, {
    source,
    targetLabel: onto.label,
    pipeline: options.pipeline,
    lines: mappingLines(accepted, from.columns.map((c) => c.name), onto.columns.map((c) => c.name)),
  });
  addSqlBlock(project.root, plan.pipeline, { name, file, sql: plan.sql, upstream: plan.upstream, connection: plan.connection });
  out.line(`${green('wrote')} ${file} and added block '${name}' to pipeline '${plan.pipeline}'${plan.upstream ? ` (upstream: ${plan.upstream.join(', ')})` : ` (runs in ${plan.connection})`}`);
  out.line(dim(`run it with: sluice run ${plan.pipeline} --block ${name}`));
  return 0;
}

/** The suggestions with a target, after `--set` and `--reject`. */
function acceptPairs(suggestions: readonly FieldSuggestion[], options: MapSuggestOptions): AcceptedPair[] {
  const set = new Map<string, string>();
  for (const pair of options.set ?? []) {
    const at = pair.lastIndexOf('=');
    if (at <= 0 || at === pair.length - 1) throw new UsageError(`--set takes SOURCE=TARGET, not '${pair}'`);
    set.set(pair.slice(0, at), pair.slice(at + 1));
  }
  const rejected = new Set(options.reject ?? []);
  const pairs: AcceptedPair[] = [];
  for (const s of suggestions) {
    const chosen = set.get(s.source);
    if (chosen !== undefined) pairs.push({ source: s.source, target: chosen, note: 'set by hand' });
    else if (s.target !== null && !rejected.has(s.source)) pairs.push({ source: s.source, target: s.target, note: `${s.confidence.toFixed(2)}: ${s.reason}` });
  }
  for (const name of [...set.keys(), ...rejected]) {
    if (!suggestions.some((s) => s.source === name)) throw new UsageError(`the source has no column '${name}' (columns: ${suggestions.map((s) => s.source).join(', ')})`);
  }
  return pairs;
}

function showSuggestions(from: SampledFields, onto: SampledFields, suggestions: readonly FieldSuggestion[], accepted: readonly AcceptedPair[], out: Output): void {
  out.line(`${bold(from.label)} ${dim(`(${from.columns.length} columns, values from ${formatCount(from.sampledRows)} rows)`)} onto ${bold(onto.label)} ${dim(`(${onto.columns.length} columns, values from ${formatCount(onto.sampledRows)} rows)`)}`);
  out.line();
  const width = Math.min(32, Math.max(6, ...suggestions.map((s) => s.source.length)));
  const targetWidth = Math.min(32, Math.max(6, ...suggestions.map((s) => (s.target ?? 'no match').length)));
  for (const s of suggestions) {
    const pair = accepted.find((p) => p.source === s.source);
    const shownTarget = pair?.target ?? 'no match';
    const confidence = pair?.note === 'set by hand' ? 'set ' : s.target === null || !pair ? '    ' : s.confidence.toFixed(2);
    const line = `  ${s.source.padEnd(width)}  →  ${shownTarget.padEnd(targetWidth)}  ${confidence}  ${dim(pair?.note === 'set by hand' ? 'set by hand' : !pair && s.target ? 'rejected' : s.reason)}`;
    out.line(pair ? line : yellow(line));
  }
  const mapped = new Set(accepted.map((p) => p.target));
  const empty = onto.columns.filter((c) => !mapped.has(c.name)).map((c) => c.name);
  out.line();
  out.line(`${accepted.length} of ${suggestions.length} source columns mapped${empty.length ? `; target columns with no source (written as NULL): ${empty.join(', ')}` : ''}`);
}

function summary(fields: SampledFields) {
  return { label: fields.label, sampledRows: fields.sampledRows, columns: fields.columns.map((c) => ({ name: c.name, type: c.type })) };
}

/** `sales.raw_orders` -> `raw_orders`, `data/crm export.csv` -> `crm_export`. */
function blockNameOf(label: string): string {
  const last = label.split(/[./]/).filter((p) => p && !/^(csv|tsv|txt|parquet|json|jsonl|ndjson|gz)$/i.test(p)).pop() ?? 'source';
  const name = last.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^(\d)/, '_$1');
  return name || 'source';
}
