import type { ConnectorRegistry } from '../../core/connectors/connector.ts';
import { ConfigError } from '../../core/errors.ts';
import { connectionSpec } from '../../core/project/connection-spec.ts';
import type { Project } from '../../core/project/load-project.ts';
import { quoteIdent } from '../../core/sql/quote.ts';
import { describeFieldSource, type FieldSource } from './field-source.ts';
import { mappingSql, type AcceptedMapping } from './mapping-sql.ts';

/** A mapping block ready to add: its SQL, the pipeline it belongs in, and what it reads. */
export interface MappingBlockPlan {
  readonly pipeline: string;
  readonly sql: string;
  readonly upstream?: readonly string[] | undefined;
  readonly connection?: string | undefined;
}

/**
 * Where a mapping block of `source` goes and what its SQL reads: a block's
 * output is its upstream, in the block's own pipeline (or `pipeline`); a
 * table is read inside its connection (quoted by that connector's rules), in
 * `pipeline`. A file must be loaded by a loader block first.
 */
export function planMappingBlock(
  project: Project,
  connectors: ConnectorRegistry,
  request: { readonly source: FieldSource; readonly targetLabel: string; readonly lines: readonly AcceptedMapping[]; readonly pipeline?: string | undefined },
): MappingBlockPlan {
  const { source, lines } = request;
  const title = `Maps ${describeFieldSource(source)} onto the columns of ${request.targetLabel}.`;
  switch (source.kind) {
    case 'block':
      return { pipeline: request.pipeline ?? source.pipeline, sql: mappingSql(lines, { from: quoteIdent(source.block), title }), upstream: [source.block] };
    case 'table': {
      if (!request.pipeline) throw new ConfigError('map.no_pipeline', `say which pipeline the mapping block of ${source.connection}.${source.table} goes in (--pipeline)`);
      const rules = connectors.get(connectionSpec(project, source.connection).connector)?.identifiers;
      if (!rules) throw new ConfigError('map.source_unsupported', `connection '${source.connection}' cannot run a SQL block`);
      return { pipeline: request.pipeline, sql: mappingSql(lines, { from: rules.table(source.table), quote: rules.quote, title }), connection: source.connection };
    }
    case 'file':
      throw new ConfigError('map.file_source', `a mapping block reads a block or a table; load ${source.path} with a loader block first, then map that block`);
  }
}
