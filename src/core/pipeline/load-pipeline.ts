import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseYamlText } from '../config/parse-yaml-file.ts';
import { ConfigError, type ErrorLocation } from '../errors.ts';
import { declaredPipelineType } from './declared-pipeline-type.ts';
import { isIntegrationFile, loadIntegrationPipeline } from './load-integration-pipeline.ts';
import { topoSort } from './dag.ts';
import type { Block, BlockLanguage, CleanBlock, DedupeBlock, ExamplesBlock, Pipeline, PipelineWarning, PrepareBlock, StreamLagBlock } from './pipeline.ts';
import { toCheckSpec, type CheckSpec } from '../quality/check-spec.ts';
import { pipelineFileSchema, pipelineNamePattern, pipelineNameRule, type BlockFile, type BlockRole } from './pipeline-schema.ts';

const languageByExtension: Record<string, Extract<BlockLanguage, 'ts' | 'sql'>> = { '.ts': 'ts', '.sql': 'sql' };

export function pipelinePath(root: string, name: string): string {
  return path.join(root, 'pipelines', `${name}.yaml`);
}

/** Names of the pipelines in a project, from `pipelines/*.yaml`. */
export function listPipelines(root: string): string[] {
  const dir = path.join(root, 'pipelines');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .map((f) => f.replace(/\.ya?ml$/, ''))
    .sort();
}

/** Hears each file whose bytes make the pipeline's version, as they were read for it. */
export type OnVersionRead = (file: string, bytes: Buffer) => void;

/**
 * Loads `pipelines/NAME.yaml`, checks every block and edge, and returns the
 * pipeline with its blocks in run order. Every problem names file and line.
 * `onVersionRead` hears the bytes the version was computed from (the
 * pipeline file and its SQL and TypeScript block files), so a cache can tell
 * later whether they still hold.
 */
export function loadPipeline(root: string, name: string, onVersionRead?: OnVersionRead): Pipeline {
  const read = (file: string): Buffer => {
    const bytes = readFileSync(file);
    onVersionRead?.(file, bytes);
    return bytes;
  };
  if (!pipelineNamePattern.test(name)) {
    throw new ConfigError('pipeline.bad_name', `'${name}' is not a pipeline name: ${pipelineNameRule}`, { retryable: false });
  }
  let file = pipelinePath(root, name);
  if (!existsSync(file) && existsSync(file.replace(/\.yaml$/, '.yml'))) file = file.replace(/\.yaml$/, '.yml');
  const shown = path.relative(root, file);
  if (!existsSync(file)) {
    const known = listPipelines(root);
    throw new ConfigError(
      'pipeline.not_found',
      `no pipeline '${name}' (expected ${shown})${known.length ? `; pipelines here: ${known.join(', ')}` : ''}`,
    );
  }
  if (isIntegrationFile(file)) return loadIntegrationPipeline(name, file, shown, read);
  if (declaredPipelineType(file) === 'streaming') {
    // A stream runs until stopped, not as a run of blocks: it has its own command (and no place in run history yet).
    throw new ConfigError('pipeline.streaming', `'${name}' is a streaming pipeline; run it with 'sluice stream run ${name}'`, { location: { file: shown } });
  }
  // One read for the parse and the version, so the version is always that of the text parsed.
  let bytes: Buffer;
  try {
    bytes = read(file);
  } catch (cause) {
    throw new ConfigError('config.file_unreadable', `cannot read ${shown}: ${(cause as Error).message}`, { cause, location: { file: shown } });
  }
  const { data, locate } = parseYamlText(bytes.toString('utf8'), pipelineFileSchema, shown);
  const hash = createHash('sha256').update(bytes);

  const warnings: PipelineWarning[] = [];
  // A dedupe block may add a second block, so problems found in the block list are located through the spec each came from.
  const specIndexOf: number[] = [];
  const blocks = data.blocks.flatMap((spec, index) => {
    const made = specBlocks(spec, index);
    specIndexOf.push(...made.map(() => index));
    return made;
  });
  function specBlocks(spec: (typeof data.blocks)[number], index: number): Block[] {
    const where = locate(['blocks', index]);
    if (spec.type !== undefined) {
      const at = locate(['blocks', index, 'type']);
      if (spec.role !== undefined) throw new ConfigError('block.role_twice', `block '${spec.name}' has both role and type (its old spelling); keep role`, { location: { ...at, block: spec.name } });
      warnings.push({
        code: 'block.type_deprecated',
        message: `block '${spec.name}': 'type: ${spec.type}' is the old spelling of 'role: ${spec.type}'; rename the key (type still works for now)`,
        location: { ...at, block: spec.name },
      });
    }
    const checks = spec.checks.map((check, i) => toCheckSpec(check, locate(['blocks', index, 'checks', i]).line));
    const locateKey = (key: string): ErrorLocation => locate(['blocks', index, key]);
    if (spec.stream_lag !== undefined) return [toStreamLagBlock(root, spec, blockBase(spec, { file: shown, line: where.line }), locateKey)];
    if (spec.dedupe !== undefined) return toDedupeBlocks(spec, { file: shown, line: where.line }, locateKey, (keys) => locate(['blocks', index, 'dedupe', ...keys]), checks);
    if (spec.examples !== undefined && spec.clean === undefined && spec.prepare === undefined) {
      const [examples, ...sides] = toExamplesBlocks(spec, blockBase(spec, { file: shown, line: where.line }), (key, code, message) => {
        throw new ConfigError(code, message, { location: { ...locateKey(key), block: spec.name } });
      });
      const after = checkTargets(checks, spec.name);
      return [{ ...examples!, ...(checks.length ? { checks } : {}), ...(after.length ? { after } : {}) }, ...sides];
    }
    if (spec.prepare !== undefined && spec.clean === undefined) {
      const [split, ...sides] = toPrepareBlocks(spec, blockBase(spec, { file: shown, line: where.line }), (key, code, message) => {
        throw new ConfigError(code, message, { location: { ...locateKey(key), block: spec.name } });
      });
      const after = checkTargets(checks, spec.name);
      return [{ ...split!, ...(checks.length ? { checks } : {}), ...(after.length ? { after } : {}) }, ...sides];
    }
    const block: Block = {
      ...toBlock(root, spec, { file: shown, line: where.line }, locateKey, (key) => locate(['blocks', index, 'settings', key]), (column) => locate(['blocks', index, 'clean', column])),
      ...(checks.length ? { checks } : {}),
      ...(checkTargets(checks, spec.name).length ? { after: checkTargets(checks, spec.name) } : {}),
    };
    if (block.language === 'ts' || block.language === 'sql') hash.update(block.name).update(read(block.file));
    if (block.language === 'clean') return [block, ...cleanReviewBlock(block)];
    return [block];
  }

  checkRelationshipTargets(data.blocks, locate);
  const sorted = topoSort(blocks);
  if ('problem' in sorted) {
    const problem = sorted.problem;
    switch (problem.kind) {
      case 'duplicate':
        throw new ConfigError('pipeline.duplicate_block', `two blocks are named '${problem.name}'`, {
          location: { ...locate(['blocks', specIndexOf[problem.index]!, 'name']), block: problem.name },
        });
      case 'unknown_upstream':
        throw new ConfigError(
          'pipeline.unknown_upstream',
          `block '${problem.name}' reads '${problem.upstream}', which is not a block of this pipeline`,
          { location: { ...locate(['blocks', specIndexOf[problem.index]!, 'upstream', problem.upstreamIndex]), block: problem.name } },
        );
      case 'cycle':
        throw new ConfigError('pipeline.cycle', `the blocks form a cycle: ${problem.cycle.join(' -> ')}`, {
          location: { file: shown },
        });
    }
  }
  return {
    name: data.name ?? name,
    description: data.description,
    file,
    variables: data.variables,
    blocks: sorted.order,
    version: hash.digest('hex').slice(0, 16),
    schedule: data.schedule,
    onFile: data.on_file,
    onStream: data.on_stream,
    apiEnabled: data.api.enabled,
    retries: data.retries,
    timeout: data.timeout,
    concurrency: data.concurrency,
    alerts: data.alerts,
    ...(warnings.length ? { warnings } : {}),
  };
}

function toBlock(
  root: string,
  spec: BlockFile,
  declaredAt: Block['declaredAt'],
  locateKey: (key: string) => ErrorLocation,
  locateSetting: (key: string) => ErrorLocation,
  locateCleanColumn: (column: string) => ErrorLocation,
): Block {
  const base = blockBase(spec, declaredAt);
  const fail = (key: string, code: string, message: string): never => {
    throw new ConfigError(code, message, { location: { ...locateKey(key), block: spec.name } });
  };
  if (spec.clean !== undefined) return toCleanBlock(spec, base, fail, locateCleanColumn);
  if (spec.file !== undefined) {
    if (spec.connector !== undefined) fail('connector', 'block.ambiguous', `block '${spec.name}' has both a file and a connector; give one`);
    const ext = path.extname(spec.file);
    const language = languageByExtension[ext];
    if (!language) {
      return fail('file', 'block.unknown_language', `block '${spec.name}': unknown block language '${ext || spec.file}' (a block file is .ts or .sql)`);
    }
    const file = path.resolve(root, spec.file);
    if (!isInside(root, file)) fail('file', 'block.file_outside', `block '${spec.name}': ${spec.file} is outside the project`);
    if (!existsSync(file)) fail('file', 'block.file_missing', `block '${spec.name}': file ${spec.file} does not exist`);
    const role: BlockRole = spec.role ?? spec.type ?? 'transformer';
    if (language === 'sql') return { ...base, role, language, file, connection: spec.connection };
    return { ...base, role, language, file, settings: spec.settings };
  }
  if (spec.connector === undefined && spec.connection === undefined) {
    return fail('name', 'block.no_logic', `block '${spec.name}' needs a file (.ts or .sql) or a connector/connection`);
  }
  const role: BlockRole = spec.role ?? spec.type ?? (spec.upstream.length ? 'exporter' : 'loader');
  const settingLines = Object.fromEntries(Object.keys(spec.settings).flatMap((key) => {
    const line = locateSetting(key).line;
    return line === undefined ? [] : [[key, line]];
  }));
  return { ...base, role, language: 'connector', connector: spec.connector, connection: spec.connection, settings: spec.settings, settingLines };
}

/** What every kind of block takes from its spec. */
function blockBase(spec: BlockFile, declaredAt: Block['declaredAt']) {
  return {
    name: spec.name,
    upstream: spec.upstream,
    description: spec.description,
    declaredAt,
    retries: spec.retries,
    timeout: spec.timeout,
    pokeInterval: spec.poke_interval,
    ...(spec.reads ? { reads: spec.reads } : {}),
    ...(spec.writes ? { writes: spec.writes } : {}),
    ...(spec.metrics?.length ? { metrics: spec.metrics } : {}),
    ...(spec.pii?.length ? { pii: spec.pii } : {}),
    ...(spec.anomalies ? { anomalies: spec.anomalies } : {}),
    ...(spec.drift ? { drift: spec.drift } : {}),
  };
}

/**
 * A dedupe block reads exactly one upstream. With a `review` threshold it
 * comes with a second block, `<name>__review`, holding the borderline pairs,
 * so downstream blocks, previews and checks reach it as any block output.
 */
function toDedupeBlocks(
  spec: BlockFile,
  declaredAt: Block['declaredAt'],
  locateKey: (key: string) => ErrorLocation,
  locateSetting: (keys: readonly string[]) => ErrorLocation,
  checks: readonly CheckSpec[],
): DedupeBlock[] {
  const fail = (key: string, code: string, message: string): never => {
    throw new ConfigError(code, message, { location: { ...locateKey(key), block: spec.name } });
  };
  for (const key of ['file', 'connector', 'connection', 'clean', 'prepare', 'examples'] as const) {
    if (spec[key] !== undefined) fail(key, 'block.ambiguous', `block '${spec.name}' has both dedupe and ${key}; a dedupe block is only its settings`);
  }
  if (spec.upstream.length !== 1) fail('upstream', 'block.dedupe_upstream', `block '${spec.name}': a dedupe block reads exactly one upstream block (it has ${spec.upstream.length})`);
  const settings = spec.dedupe!;
  // Each setting's line, and each compared column's (`columns.name`), so a problem points at its own line.
  const columns = settings.columns && typeof settings.columns === 'object' ? Object.keys(settings.columns).map((column) => ['columns', column]) : [];
  const settingLines = Object.fromEntries([...Object.keys(settings).map((key) => [key]), ...columns].flatMap((keys) => {
    const line = locateSetting(keys).line;
    return line === undefined ? [] : [[keys.join('.'), line]];
  }));
  const after = checkTargets(checks, spec.name);
  const clusters: DedupeBlock = {
    ...blockBase(spec, declaredAt),
    role: spec.role ?? spec.type ?? 'transformer',
    language: 'dedupe',
    part: 'clusters',
    declaredName: spec.name,
    settings,
    settingLines,
    ...(checks.length ? { checks } : {}),
    ...(after.length ? { after } : {}),
  };
  if (settings.review === undefined) return [clusters];
  const review: DedupeBlock = {
    ...blockBase(spec, declaredAt),
    name: `${spec.name}__review`,
    role: 'transformer',
    description: `pairs of '${spec.name}' to review: scoring between review and match`,
    language: 'dedupe',
    part: 'review',
    declaredName: spec.name,
    settings,
    settingLines,
  };
  return [clusters, review];
}

/** A clean block reads exactly one upstream and has no file or connector of its own. */
function toCleanBlock(
  spec: BlockFile,
  base: Omit<CleanBlock, 'language' | 'columns' | 'role'>,
  fail: (key: string, code: string, message: string) => never,
  locateColumn: (column: string) => ErrorLocation,
): CleanBlock {
  const clean = spec.clean!;
  for (const key of ['file', 'connector', 'connection', 'prepare', 'examples'] as const) {
    if (spec[key] !== undefined) fail(key, 'block.ambiguous', `block '${spec.name}' has both clean and ${key}; a clean block is only its columns and tools`);
  }
  if (spec.upstream.length !== 1) fail('upstream', 'block.clean_upstream', `block '${spec.name}': a clean block reads exactly one upstream block (it has ${spec.upstream.length})`);
  const columns = Object.entries(clean).map(([column, { tool, ...settings }]) => ({ column, tool, settings, line: locateColumn(column).line }));
  if (columns.length === 0) fail('clean', 'block.clean_empty', `block '${spec.name}': clean names no columns`);
  return { ...base, role: spec.role ?? spec.type ?? 'transformer', language: 'clean', columns };
}

/**
 * The review block of a clean block whose columns are cleaned against a
 * dictionary (their settings name one): the values its columns left
 * undecided, as a table. It reads the same upstream and cleans those columns
 * again, so it holds what this run found, whichever process ran it; it takes
 * the block's retries and timeout, not its checks.
 */
function cleanReviewBlock(block: CleanBlock): CleanBlock[] {
  const columns = block.columns.filter((c) => typeof c.settings['dictionary'] === 'string');
  if (!columns.length) return [];
  return [{
    name: `${block.name}__review`,
    upstream: block.upstream,
    declaredAt: block.declaredAt,
    retries: block.retries,
    timeout: block.timeout,
    role: 'transformer',
    description: `values of '${block.name}' left undecided against its dictionaries, to review`,
    language: 'clean',
    part: 'review',
    declaredName: block.name,
    columns,
  }];
}

/**
 * A prepare block, like a clean block, reads exactly one upstream and is only
 * its settings. It comes with a block per side, `<name>__train` and
 * `<name>__test`, each reading its rows, so a model's training and scoring
 * steps read their side without filtering on the `split` column themselves.
 */
function toPrepareBlocks(spec: BlockFile, base: Omit<PrepareBlock, 'language' | 'settings' | 'role' | 'part' | 'declaredName'>, fail: (key: string, code: string, message: string) => never): PrepareBlock[] {
  for (const key of ['file', 'connector', 'connection', 'clean', 'examples'] as const) {
    if (spec[key] !== undefined) fail(key, 'block.ambiguous', `block '${spec.name}' has both prepare and ${key}; a prepare block is only its settings`);
  }
  if (spec.upstream.length !== 1) fail('upstream', 'block.prepare_upstream', `block '${spec.name}': a prepare block reads exactly one upstream block (it has ${spec.upstream.length})`);
  const split: PrepareBlock = { ...base, role: spec.role ?? spec.type ?? 'transformer', language: 'prepare', part: 'split', declaredName: spec.name, settings: spec.prepare! };
  return [split, ...(['train', 'test'] as const).map((part) => ({ ...sideBlock(spec.name, base, part), language: 'prepare' as const, settings: spec.prepare! }))];
}

/** A side of a block that splits its rows: a filter of the block's output, taking its retries and timeout, not its checks or metrics. */
function sideBlock<P extends string>(name: string, base: Pick<Block, 'declaredAt' | 'retries' | 'timeout'>, part: P) {
  return {
    name: `${name}__${part}`,
    upstream: [name],
    declaredAt: base.declaredAt,
    retries: base.retries,
    timeout: base.timeout,
    role: 'transformer' as const,
    description: `the ${part} rows of '${name}'`,
    part,
    declaredName: name,
  };
}

/**
 * A block of training examples, like a prepare block, reads exactly one
 * upstream and is only its settings. It comes with `<name>__train` and
 * `<name>__validation`, each keeping one side, for an exporter to write.
 */
function toExamplesBlocks(spec: BlockFile, base: Omit<ExamplesBlock, 'language' | 'settings' | 'role' | 'part' | 'declaredName'>, fail: (key: string, code: string, message: string) => never): ExamplesBlock[] {
  for (const key of ['file', 'connector', 'connection', 'clean', 'prepare', 'dedupe'] as const) {
    if (spec[key] !== undefined) fail(key, 'block.ambiguous', `block '${spec.name}' has both examples and ${key}; an examples block is only its settings`);
  }
  if (spec.upstream.length !== 1) fail('upstream', 'block.examples_upstream', `block '${spec.name}': an examples block reads exactly one upstream block (it has ${spec.upstream.length})`);
  const examples: ExamplesBlock = { ...base, role: spec.role ?? spec.type ?? 'transformer', language: 'examples', part: 'examples', declaredName: spec.name, settings: spec.examples! };
  return [examples, ...(['train', 'validation'] as const).map((part) => ({ ...sideBlock(spec.name, base, part), language: 'examples' as const, settings: spec.examples! }))];
}

/** The blocks a block's relationships checks read: it runs after them, so it never judges against an older run's output. */
function checkTargets(checks: readonly CheckSpec[], self: string): string[] {
  return [...new Set(checks.flatMap((c) => (c.kind === 'relationships' && c.to !== undefined && c.to !== self ? [c.to] : [])))];
}

/**
 * A relationships check names a block of this pipeline that can run before
 * it; a typo, or a target downstream of the checked block (which would wait
 * for itself), is found when the file loads, not mid-run.
 */
function checkRelationshipTargets(specs: readonly BlockFile[], locate: (path: readonly (string | number)[]) => ErrorLocation): void {
  const names = new Set(specs.map((s) => s.name));
  const upstreamOf = new Map(specs.map((s) => [s.name, s.upstream]));
  const dependsOn = (block: string, target: string, seen = new Set<string>()): boolean => {
    if (seen.has(block)) return false;
    seen.add(block);
    return (upstreamOf.get(block) ?? []).some((up) => up === target || dependsOn(up, target, seen));
  };
  specs.forEach((spec, index) =>
    spec.checks.forEach((check, i) => {
      const to = check.relationships?.to;
      if (to === undefined) return;
      const where = { ...locate(['blocks', index, 'checks', i, 'relationships', 'to']), block: spec.name };
      const name = check.name ?? `relationships_${check.relationships!.column}`;
      if (!names.has(to)) throw new ConfigError('check.unknown_block', `block '${spec.name}': check '${name}' reads block '${to}', which is not a block of this pipeline`, { location: where });
      if (dependsOn(to, spec.name)) {
        throw new ConfigError('check.target_downstream', `block '${spec.name}': check '${name}' reads block '${to}', which runs after it (it reads '${spec.name}'); check against a block that can run first`, { location: where });
      }
    }),
  );
}

function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * A `stream_lag:` sensor names a streaming pipeline of the project and is
 * only its settings: a file, connector or other logic beside it is refused.
 */
function toStreamLagBlock(root: string, spec: BlockFile, base: ReturnType<typeof blockBase>, locateKey: (key: string) => ErrorLocation): StreamLagBlock {
  const fail = (key: string, code: string, message: string): never => {
    throw new ConfigError(code, message, { location: { ...locateKey(key), block: spec.name } });
  };
  const settings = spec.stream_lag!;
  for (const key of ['file', 'connector', 'connection', 'clean', 'prepare', 'dedupe'] as const) {
    if (spec[key] !== undefined) fail(key, 'block.ambiguous', `block '${spec.name}' has both stream_lag and ${key}; a stream_lag sensor is only its settings`);
  }
  const role = spec.role ?? spec.type ?? 'sensor';
  if (role !== 'sensor') fail(spec.role !== undefined ? 'role' : 'type', 'block.stream_lag_role', `block '${spec.name}': a stream_lag block is a sensor (role: sensor), not a ${role}`);
  const file = [pipelinePath(root, settings.pipeline), pipelinePath(root, settings.pipeline).replace(/\.yaml$/, '.yml')].find((f) => existsSync(f));
  if (!file) fail('stream_lag', 'block.stream_lag_unknown', `block '${spec.name}' waits on the lag of '${settings.pipeline}', which is not a pipeline of this project`);
  if (declaredPipelineType(file!) !== 'streaming') fail('stream_lag', 'block.stream_lag_not_streaming', `block '${spec.name}' waits on the lag of '${settings.pipeline}', which is not a streaming pipeline (kind: streaming)`);
  return { ...base, role: 'sensor', language: 'stream_lag', stream: settings.pipeline, below: settings.below, maxAge: settings.max_age };
}
