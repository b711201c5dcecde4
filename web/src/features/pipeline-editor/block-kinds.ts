import type { BlockLanguage, BlockRole } from '@sluice/api';

/**
 * Each kind of block as the canvas labels it. Keyed by the server's own
 * `BlockLanguage`, so a kind the server adds fails the typecheck until it has a label.
 */
export const languageLabels: Record<BlockLanguage, string> = { ts: 'TS', sql: 'SQL', connector: 'NO-CODE', sync: 'SYNC', clean: 'CLEAN', prepare: 'PREPARE', dedupe: 'DEDUPE', stream_lag: 'STREAM LAG', examples: 'EXAMPLES' };

/** The kinds of block the block panel edits itself: in a code editor or a form. */
type EditedInPanel = 'ts' | 'sql' | 'connector' | 'clean';

/**
 * Where in the pipeline file every other kind of block is edited, and what it
 * is. A new kind of block fails the typecheck here until the panel knows how to show it.
 */
export const editedInFile: Record<Exclude<BlockLanguage, EditedInPanel>, { readonly key: string; readonly what: string }> = {
  sync: { key: 'streams:', what: 'A stream of an integration pipeline.' },
  prepare: { key: 'prepare:', what: 'A prepare block splits and transforms its input.' },
  dedupe: { key: 'dedupe:', what: 'A dedupe block gives each row its cluster of duplicates.' },
  stream_lag: { key: 'stream_lag:', what: "A sensor that waits until a streaming pipeline's broker lag is below a bound." },
  examples: { key: 'examples:', what: 'An examples block shapes rows into training examples for a language model, split into train and validation.' },
};

/** How a block is written. */
export type BlockHow = 'connector' | 'sql' | 'ts';

export interface BlockWhat {
  readonly role: BlockRole;
  readonly label: string;
  readonly description: string;
  /** The ways this kind of block can be written, the usual one first. */
  readonly hows: readonly BlockHow[];
}

/** The first choice of the add-block dialog: what the block does, in plain words. */
export const blockWhats: readonly BlockWhat[] = [
  { role: 'loader', label: 'Load', description: 'Bring data in: a file, a database table or an API.', hows: ['connector', 'sql', 'ts'] },
  { role: 'transformer', label: 'Transform', description: 'Clean, join or summarise the data of the blocks before it.', hows: ['sql', 'ts'] },
  { role: 'exporter', label: 'Export', description: 'Send data out: into a database table, a file or an API.', hows: ['connector', 'ts'] },
  { role: 'test', label: 'Test', description: 'Check the data of the blocks before it; a failed check stops the run.', hows: ['sql', 'ts'] },
];

/** The second choice: how the block is written. */
export const blockHows: Record<BlockHow, { readonly label: string; readonly description: string }> = {
  connector: { label: 'No-code connector', description: 'Pick a connection or connector and fill in a form. No code.' },
  sql: { label: 'SQL', description: 'Write a SELECT; the blocks before it are tables named after them.' },
  ts: { label: 'TypeScript', description: 'Write code, for any source, destination or logic.' },
};

/** The server's template for a choice. */
export function templateFor(role: BlockRole, how: BlockHow): string {
  if (how === 'connector') return 'connector';
  if (how === 'sql') return role === 'test' ? 'sql-test' : 'sql';
  return `ts-${role}`;
}
