import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Row } from '../core/data-plane/data-plane.ts';
import { ConfigError, SluiceError } from '../core/errors.ts';
import { ensureBlockLoaders } from '../core/run/block-loaders.ts';
import { toBlockError } from '../core/run/run-user-code.ts';

/** What a per-record TypeScript transformer returns: a row, several, or nothing to drop the record. */
export type RecordTransform = (record: Row) => Row | readonly Row[] | null | undefined | Promise<Row | readonly Row[] | null | undefined>;
/** What a per-batch TypeScript transformer does: the micro-batch's records in, rows out. */
export type BatchTransform = (records: readonly Row[]) => readonly Row[] | Promise<readonly Row[]>;

/** A transformer block of a streaming pipeline, loaded and ready to run. */
export type StreamTransformer =
  | { readonly kind: 'record'; readonly name: string; readonly file: string; readonly run: RecordTransform }
  | { readonly kind: 'batch'; readonly name: string; readonly file: string; readonly run: BatchTransform }
  /** A query over the micro-batch, visible as the table `batch`, run in the data plane. */
  | { readonly kind: 'sql'; readonly name: string; readonly file: string; readonly sql: string };

export interface TransformerSpec {
  readonly name: string;
  /** Absolute path. */
  readonly file: string;
  readonly per: 'record' | 'batch';
}

/**
 * Loads the transformer files. TypeScript ones come first: they work on
 * records in memory, SQL ones on the staged micro-batch in the data plane.
 */
export async function loadStreamTransformers(specs: readonly TransformerSpec[], shown: (file: string) => string): Promise<StreamTransformer[]> {
  const loaded: StreamTransformer[] = [];
  for (const spec of specs) {
    const ext = path.extname(spec.file);
    if (ext === '.sql') {
      loaded.push({ kind: 'sql', name: spec.name, file: spec.file, sql: readFileSync(spec.file, 'utf8').trim().replace(/;\s*$/, '') });
      continue;
    }
    if (loaded.some((t) => t.kind === 'sql')) {
      throw new ConfigError('stream.transformer_order', `transformer '${spec.name}' (${shown(spec.file)}) is TypeScript after a SQL transformer; TypeScript transformers come first, SQL ones run over their result`);
    }
    let module: { default?: unknown };
    try {
      await ensureBlockLoaders();
      // Marked as a block file (the CLI's resolver loads those as ES modules), so a project needs no package.json.
      module = (await import(`${pathToFileURL(spec.file).href}?sluice-block=${encodeURIComponent(`transformer-${spec.name}`)}`)) as { default?: unknown };
    } catch (error) {
      throw toBlockError(error, spec.name, shown(spec.file));
    }
    const run = (module.default as { run?: unknown } | undefined)?.run ?? module.default;
    if (typeof run !== 'function') {
      throw new SluiceError('block.no_default_export', `transformer '${spec.name}' (${shown(spec.file)}): the default export must be a function taking ${spec.per === 'batch' ? 'the batch\'s records' : 'a record'}`, { retryable: false });
    }
    loaded.push(spec.per === 'batch' ? { kind: 'batch', name: spec.name, file: spec.file, run: run as BatchTransform } : { kind: 'record', name: spec.name, file: spec.file, run: run as RecordTransform });
  }
  return loaded;
}

/**
 * Runs the per-record transformers over one record; what they throw is the
 * record's problem. Synchronous while the transformers are: a promise (and
 * its turn of the event loop) only for one that returns a promise.
 */
export function transformRecord(record: Row, transformers: readonly StreamTransformer[]): Row[] | Promise<Row[]> {
  // The usual case, one row in and one out of each transformer, builds no array until the end.
  let one = record;
  let i = 0;
  for (; i < transformers.length; i++) {
    const t = transformers[i]!;
    if (t.kind !== 'record') continue;
    const out = t.run(one);
    if (out === null || typeof out !== 'object' || Array.isArray(out) || out instanceof Promise) {
      if (out instanceof Promise) return finishAsync(out, [one], 0, [], i, transformers);
      const next: Row[] = [];
      collect(t, out, next);
      return i + 1 < transformers.length ? transformRows(next, i + 1, transformers) : next;
    }
    one = out as Row;
  }
  return [one];
}

/** transformRecord from transformer `from` on, over several rows. */
function transformRows(rows: Row[], from: number, transformers: readonly StreamTransformer[]): Row[] | Promise<Row[]> {
  for (let i = from; i < transformers.length; i++) {
    const t = transformers[i]!;
    if (t.kind !== 'record') continue;
    const next: Row[] = [];
    for (let r = 0; r < rows.length; r++) {
      const out = t.run(rows[r]!);
      if (out instanceof Promise) return finishAsync(out, rows, r, next, i, transformers);
      collect(t, out, next);
    }
    rows = next;
  }
  return rows;
}

/** The rest of transformRecord once a transformer returned a promise: its result, then the remaining rows and transformers. */
async function finishAsync(pending: Promise<unknown>, rows: Row[], r: number, next: Row[], i: number, transformers: readonly StreamTransformer[]): Promise<Row[]> {
  const t = transformers[i] as Extract<StreamTransformer, { kind: 'record' }>;
  collect(t, await pending, next);
  for (let k = r + 1; k < rows.length; k++) collect(t, await t.run(rows[k]!), next);
  let current = next;
  for (let j = i + 1; j < transformers.length; j++) {
    const u = transformers[j]!;
    if (u.kind !== 'record') continue;
    const out: Row[] = [];
    for (const row of current) collect(u, await u.run(row), out);
    current = out;
  }
  return current;
}

function collect(t: StreamTransformer, out: unknown, into: Row[]): void {
  if (out === null || out === undefined) return;
  if (Array.isArray(out)) into.push(...(out as Row[]));
  else if (typeof out === 'object') into.push(out as Row);
  else throw new TransformProblem(t.name, `returned ${typeof out}; a record transformer returns a row, an array of rows, or null to drop the record`);
}

/** Runs the per-batch transformers over the records of some messages. */
export async function transformBatch(rows: readonly Row[], transformers: readonly StreamTransformer[]): Promise<Row[]> {
  let current: readonly Row[] = rows;
  for (const t of transformers) {
    if (t.kind !== 'batch') continue;
    const out = await t.run(current);
    if (!Array.isArray(out)) throw new TransformProblem(t.name, `returned ${typeof out}; a batch transformer returns an array of rows`);
    current = out;
  }
  return [...current];
}

/** A transformer that refused a record or batch, named so a dead letter says which one. */
export class TransformProblem extends Error {
  constructor(readonly transformer: string, message: string) {
    super(`transformer '${transformer}' ${message}`);
  }
}
