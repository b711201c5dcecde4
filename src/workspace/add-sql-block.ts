import { ConfigError } from '../core/errors.ts';
import type { Pipeline } from '../core/pipeline/pipeline.ts';
import { blockNamePattern } from '../core/pipeline/pipeline-schema.ts';
import { editPipeline } from './edit-pipeline.ts';
import { addBlock } from './pipeline-document.ts';

export interface NewSqlBlock {
  readonly name: string;
  /** Project-relative path of the new `.sql` file; an existing file is refused, never overwritten. */
  readonly file: string;
  readonly sql: string;
  readonly upstream?: readonly string[] | undefined;
  /** Runs the block inside this connection instead of the data plane. */
  readonly connection?: string | undefined;
}

/**
 * Adds a transformer SQL block to a pipeline and writes its file, in one
 * step: when the pipeline no longer loads with it, both are undone.
 */
export function addSqlBlock(root: string, pipeline: string, block: NewSqlBlock): Pipeline {
  if (!blockNamePattern.test(block.name)) throw new ConfigError('block.bad_name', `'${block.name}' is not a block name: letters, digits and _, starting with a letter or _`);
  if (!block.file.endsWith('.sql')) throw new ConfigError('block.bad_file', `'${block.file}' must end in .sql`);
  return editPipeline(root, pipeline, (doc) => {
    addBlock(doc, { name: block.name, role: 'transformer', file: block.file, connection: block.connection, upstream: block.upstream?.length ? [...block.upstream] : undefined });
    return { write: [{ path: block.file, content: block.sql }] };
  });
}
