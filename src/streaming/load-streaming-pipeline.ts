import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseYamlFile } from '../core/config/parse-yaml-file.ts';
import { ConfigError, type ConfigWarning } from '../core/errors.ts';
import { declaredPipelineType } from '../core/pipeline/declared-pipeline-type.ts';
import { pipelinePath } from '../core/pipeline/load-pipeline.ts';
import { pipelineNamePattern, pipelineNameRule } from '../core/pipeline/pipeline-schema.ts';
import { streamingFileSchema, type StreamingFile } from '../core/pipeline/streaming-schema.ts';
import type { TransformerSpec } from './stream-transformers.ts';

/** A streaming pipeline as its file declares it, with transformer files resolved and checked. */
export interface StreamingPipeline {
  readonly name: string;
  /** The file, relative to the project, for messages. */
  readonly shown: string;
  readonly settings: StreamingFile;
  readonly transformers: readonly TransformerSpec[];
  /** Old spellings the file still uses, each with where it is. */
  readonly warnings?: readonly ConfigWarning[] | undefined;
}

/** True when a pipeline file says `kind: streaming` (or its old spelling `type: streaming`). */
export function isStreamingFile(file: string): boolean {
  return declaredPipelineType(file) === 'streaming';
}

/** Loads `pipelines/NAME.yaml` as a streaming pipeline; every problem names file, line and column. */
export function loadStreamingPipeline(root: string, name: string): StreamingPipeline {
  if (!pipelineNamePattern.test(name)) throw new ConfigError('pipeline.bad_name', `'${name}' is not a pipeline name: ${pipelineNameRule}`);
  const file = [pipelinePath(root, name), pipelinePath(root, name).replace(/\.yaml$/, '.yml')].find((f) => existsSync(f));
  if (!file) throw new ConfigError('pipeline.not_found', `no pipeline '${name}' (expected ${path.relative(root, pipelinePath(root, name))})`);
  const shown = path.relative(root, file);
  if (!isStreamingFile(file)) throw new ConfigError('stream.not_streaming', `${shown} is not a streaming pipeline (it needs 'kind: streaming'); run it with 'sluice run ${name}'`, { location: { file: shown } });
  const { data, locate } = parseYamlFile(file, streamingFileSchema, shown);
  const seen = new Set<string>();
  const transformers = data.transformers.map((t, index) => {
    const where = { ...locate(['transformers', index, 'file']), block: t.name };
    if (seen.has(t.name)) throw new ConfigError('pipeline.duplicate_block', `two transformers are named '${t.name}'`, { location: where });
    seen.add(t.name);
    const ext = path.extname(t.file);
    if (ext !== '.ts' && ext !== '.sql') throw new ConfigError('block.unknown_kind', `transformer '${t.name}': a transformer file is .ts or .sql, not ${t.file}`, { location: where });
    const absolute = path.resolve(root, t.file);
    const rel = path.relative(root, absolute);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new ConfigError('block.file_outside', `transformer '${t.name}': ${t.file} is outside the project`, { location: where });
    if (!existsSync(absolute)) throw new ConfigError('block.file_missing', `transformer '${t.name}': file ${t.file} does not exist`, { location: where });
    if (data.window && t.per === 'batch') throw new ConfigError('stream.window_batch_transformer', `transformer '${t.name}': a windowed pipeline takes per-record TypeScript transformers (each record keeps its message, which a late record is kept by) and SQL transformers over the windows' rows; leave out per: batch`, { location: { ...locate(['transformers', index, 'per']), block: t.name } });
    return { name: t.name, file: absolute, per: t.per };
  });
  const warnings: ConfigWarning[] =
    data.type === undefined
      ? []
      : [{ code: 'pipeline.type_deprecated', message: `'type: streaming' is the old spelling of 'kind: streaming'; rename the key (type still works for now)`, location: locate(['type']) }];
  return { name: data.name ?? name, shown, settings: data, transformers, ...(warnings.length ? { warnings } : {}) };
}
