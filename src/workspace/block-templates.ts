import type { BlockRole } from '../core/pipeline/pipeline-schema.ts';

/** What a new block starts from: code written to a file, or a connector configured in YAML. */
export interface BlockTemplate {
  readonly id: string;
  readonly description: string;
  readonly role: BlockRole;
  /** The block file's extension; none for a connector block. */
  readonly extension?: '.ts' | '.sql';
  /** The new file's text for a block reading `upstream`. */
  readonly source?: (name: string, upstream: readonly string[]) => string;
}

const inputsType = (upstream: readonly string[]): string =>
  upstream.length ? `<{ ${upstream.map((u) => `${u}: TableHandle`).join('; ')} }>` : '';
const importLine = (define: string, upstream: readonly string[]): string =>
  `import { ${define}${upstream.length ? ', type TableHandle' : ''} } from 'sluice';\n`;

export const blockTemplates: readonly BlockTemplate[] = [
  {
    id: 'ts-loader',
    description: 'TypeScript loader: returns or yields rows',
    role: 'loader',
    extension: '.ts',
    source: (name) =>
      `${importLine('defineLoader', [])}\n// ${name}: brings rows in (yield batches for large sources).\nexport default defineLoader(async function* () {\n  yield [{ id: 1, name: 'example' }];\n});\n`,
  },
  {
    id: 'ts-transformer',
    description: 'TypeScript transformer: reshapes its upstream tables batch by batch',
    role: 'transformer',
    extension: '.ts',
    source: (name, upstream) => {
      const first = upstream[0];
      const body = first
        ? `  for await (const batch of ${first}.batches()) yield batch;\n`
        : `  yield [];\n`;
      return `${importLine('defineTransformer', upstream)}\n// ${name}: reshapes its inputs.\nexport default defineTransformer${inputsType(upstream)}(async function* (${first ? `{ ${upstream.join(', ')} }` : ''}) {\n${body}});\n`;
    },
  },
  {
    id: 'ts-exporter',
    description: 'TypeScript exporter: sends its upstream tables somewhere',
    role: 'exporter',
    extension: '.ts',
    source: (name, upstream) =>
      `${importLine('defineExporter', upstream)}\n// ${name}: sends its inputs somewhere.\nexport default defineExporter${inputsType(upstream)}(async (${upstream.length ? `{ ${upstream.join(', ')} }` : '_inputs'}, ctx) => {\n${upstream.map((u) => `  ctx.log.info(\`${u}: \${${u}.rowCount} rows\`);\n`).join('')}});\n`,
  },
  {
    id: 'ts-test',
    description: 'TypeScript test: throws to fail the run',
    role: 'test',
    extension: '.ts',
    source: (name, upstream) =>
      `${importLine('defineTest', upstream)}\n// ${name}: fails the run when its inputs are wrong.\nexport default defineTest${inputsType(upstream)}(async (${upstream.length ? `{ ${upstream.join(', ')} }` : ''}) => {\n${upstream.map((u) => `  if (${u}.rowCount === 0) throw new Error('${u} is empty');\n`).join('')}});\n`,
  },
  {
    id: 'sql',
    description: 'SQL transformer: a SELECT over its upstream blocks, which are tables by name',
    role: 'transformer',
    extension: '.sql',
    source: (name, upstream) => `-- ${name}\nSELECT *\nFROM ${upstream[0] ?? '(SELECT 1 AS id)'}\n`,
  },
  {
    id: 'sql-test',
    description: 'SQL test: a query for the rows that break a rule; the run fails when it returns any',
    role: 'test',
    extension: '.sql',
    // Passes as written (WHERE false returns nothing) until the user writes the real check.
    source: (name, upstream) =>
      `-- ${name}: a test fails the run when this query returns rows; each row returned is a problem.\n-- Write the rule below, e.g. WHERE id IS NULL.\nSELECT *\nFROM ${upstream[0] ?? '(SELECT 1 AS id)'}\nWHERE false\n`,
  },
  {
    id: 'connector',
    description: 'No-code block: reads or writes through a connector, configured by its settings',
    role: 'loader',
  },
];

export function findBlockTemplate(id: string): BlockTemplate | undefined {
  return blockTemplates.find((t) => t.id === id);
}
