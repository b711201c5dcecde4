import type { BlockRole } from '@sluice/api';

export interface NameContext {
  readonly role: BlockRole;
  readonly upstream: readonly string[];
  /** The connector settings typed so far: a loader is named after the file or table it reads. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Names the pipeline already uses. */
  readonly taken: readonly string[];
}

/** Letters, digits and _, starting with a letter or _, as a block name must be. */
function asBlockName(text: string): string {
  const name = text.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return name && /^[0-9]/.test(name) ? `_${name}` : name;
}

/** A file's name without its folder and extension. */
function fileStem(value: unknown): string {
  return typeof value === 'string' ? (value.split(/[\\/]/).pop() ?? '').replace(/\.[^.]*$/, '') : '';
}

/** A table's name without its schema. */
function tableName(value: unknown): string {
  return typeof value === 'string' ? (value.split('.').pop() ?? '') : '';
}

/**
 * A name for a new block that follows from what it does, so a user need not
 * type one: a loader after its file or table (`data/orders.csv` → `orders`),
 * an export or a test after the block it reads (`export_totals`,
 * `check_totals`). Empty when nothing suggests one (a transformer is named
 * for what it makes, which only the user knows).
 */
export function suggestBlockName({ role, upstream, settings, taken }: NameContext): string {
  const first = upstream[0];
  const base =
    role === 'loader' ? asBlockName(fileStem(settings.path) || tableName(settings.table))
    : role === 'exporter' && first ? `export_${first}`
    : role === 'test' && first ? `check_${first}`
    : '';
  if (!base) return '';
  if (!taken.includes(base)) return base;
  for (let n = 2; ; n++) if (!taken.includes(`${base}_${n}`)) return `${base}_${n}`;
}
