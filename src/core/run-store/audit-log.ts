import { toInstant } from './instant.ts';

/**
 * Who did what and when, kept in the metadata store beside run history.
 * Append-only by design: the contract has no way to change or remove an
 * entry, and both stores refuse UPDATE and DELETE on the table with a
 * trigger, so even a bug cannot rewrite history.
 */

/** What was done, as `area.verb`. A later feature adds its own (e.g. `user.add`). */
export type AuditAction =
  | 'file.edit'
  | 'run.start'
  | 'run.retry'
  | 'run.cancel'
  | 'backfill.start'
  | 'connection.create'
  | 'connection.update'
  | 'connection.delete'
  | 'trigger.update'
  | 'git.commit'
  | 'git.discard'
  | 'git.branch'
  | 'dictionary.decide'
  | 'session.start'
  | 'session.end'
  | 'session.refused'
  | 'user.add'
  | 'user.role'
  | 'user.password'
  | 'user.remove'
  | 'user.key_issue'
  | 'user.key_revoke';

export interface NewAuditEntry {
  /**
   * Who did it: `user:<name>` (a signed-in user), `key:<name>` (a user's API
   * key), `cli:<os user>`, or, in a project without users, `token` and
   * `session:<short hash>`.
   */
  readonly actor: string;
  /** The address the request came from, when it came over the network. */
  readonly address?: string | undefined;
  readonly action: AuditAction | (string & {});
  /** What it was done to: a file path, run id, connection, pipeline or commit. */
  readonly target: string;
  /** The particulars (a diff, masked settings, the run's blocks...), as JSON. Never a secret. */
  readonly detail?: Readonly<Record<string, unknown>> | undefined;
  /** When; the store's clock when left out. */
  readonly at?: string | undefined;
}

export interface AuditEntry extends NewAuditEntry {
  /** Grows with every entry; the cursor pages by it. */
  readonly seq: number;
  readonly at: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface AuditQuery {
  readonly actor?: string | undefined;
  /** An action (`run.start`) or an area (`run`, every `run.*`). */
  readonly action?: string | undefined;
  /** Entries whose target starts with this (a folder, a pipeline's runs). */
  readonly target?: string | undefined;
  /** At or after this instant (ISO 8601). */
  readonly since?: string | undefined;
  /** Before this instant (ISO 8601). */
  readonly until?: string | undefined;
  /** At most this many, newest first; 100 by default. */
  readonly limit?: number | undefined;
  /** Only entries older than this: the `next` of the previous page. */
  readonly cursor?: number | undefined;
}

export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  /** The cursor of the next (older) page; undefined on the last page. */
  readonly next?: number | undefined;
}

/**
 * The audit log's contract: append and read, nothing else. Both run stores
 * hold one (`store.audit`) and pass `describeAuditContract`.
 */
export interface AuditLog {
  append(entry: NewAuditEntry): Promise<AuditEntry>;
  list(query?: AuditQuery): Promise<AuditPage>;
}

export const defaultAuditLimit = 100;

/** The filter as SQL conditions, with `placeholder` adding a parameter. */
export function auditConditions(query: AuditQuery, placeholder: (value: unknown) => string): string[] {
  const where: string[] = [];
  if (query.actor !== undefined) where.push(`actor = ${placeholder(query.actor)}`);
  if (query.action !== undefined) {
    where.push(query.action.includes('.') ? `action = ${placeholder(query.action)}` : `action LIKE ${placeholder(`${escapeLike(query.action)}.%`)} ESCAPE '\\'`);
  }
  if (query.target !== undefined) where.push(`target LIKE ${placeholder(`${escapeLike(query.target)}%`)} ESCAPE '\\'`);
  if (query.since !== undefined) where.push(`at >= ${placeholder(toInstant(query.since, 'since'))}`);
  if (query.until !== undefined) where.push(`at < ${placeholder(toInstant(query.until, 'until'))}`);
  if (query.cursor !== undefined) where.push(`seq < ${placeholder(query.cursor)}`);
  return where;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** One more row than asked for says whether there is a next page. */
export function toAuditPage(entries: readonly AuditEntry[], limit: number): AuditPage {
  if (entries.length <= limit) return { entries };
  const page = entries.slice(0, limit);
  return { entries: page, next: page[page.length - 1]!.seq };
}
