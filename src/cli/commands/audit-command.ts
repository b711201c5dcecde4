import os from 'node:os';
import type { AuditEntry, NewAuditEntry } from '../../core/run-store/audit-log.ts';
import { toInstant } from '../../core/run-store/instant.ts';
import { loadProject, type Project } from '../../core/project/load-project.ts';
import { openRunStore } from '../../engine/create-engine.ts';
import { dim, formatTable, type Output } from '../output.ts';
import { UsageError } from '../usage-error.ts';

export interface AuditOptions {
  readonly actor?: string;
  readonly action?: string;
  readonly target?: string;
  readonly since?: string;
  readonly until?: string;
  readonly limit?: string;
  readonly json?: boolean;
}

/** `sluice audit`: who changed what and when, newest first, from the project's metadata store. */
export async function auditCommand(options: AuditOptions, out: Output): Promise<number> {
  const limit = Number(options.limit ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError(`--limit takes a whole number from 1 to 1000; got '${options.limit}'`);
  const time = (value: string | undefined, flag: string): string | undefined => {
    if (value === undefined) return undefined;
    if (Number.isNaN(Date.parse(value))) throw new UsageError(`${flag} takes a date or an ISO time; got '${value}'`);
    return toInstant(value, flag);
  };
  const query = { actor: options.actor, action: options.action, target: options.target, since: time(options.since, '--since'), until: time(options.until, '--until'), limit };
  const store = await openRunStore(loadProject(process.cwd()));
  try {
    const { entries, next } = await store.audit.list(query);
    if (options.json) {
      out.line(JSON.stringify(entries, null, 2));
      return 0;
    }
    if (!entries.length) {
      out.line('no audit entries match');
      return 0;
    }
    out.line(formatTable(['when (UTC)', 'actor', 'action', 'target', 'detail'], entries.map((e) => [e.at.replace('T', ' ').slice(0, 19), describeActor(e), e.action, e.target, summarise(e)])));
    if (next !== undefined) out.line(dim(`older entries exist: raise --limit or narrow with --since/--until`));
    return 0;
  } finally {
    await store.close();
  }
}

function describeActor(entry: AuditEntry): string {
  return entry.address ? `${entry.actor} (${entry.address})` : entry.actor;
}

/** One line of an entry's detail for the table; `--json` has all of it (a diff, the settings). */
function summarise(entry: AuditEntry): string {
  const { diff, ...rest } = entry.detail;
  const text = JSON.stringify(rest);
  const line = `${typeof diff === 'string' ? `${diff.split('\n').filter((l) => /^[+-](?![+-]{2} )/.test(l)).length} changed line(s) ` : ''}${text === '{}' ? '' : text}`;
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

/** Who ran a CLI command that changed something: the operating system's user. */
export function cliActor(): string {
  return `cli:${os.userInfo().username}`;
}

/**
 * Records a change a CLI command made in the project's metadata store. The
 * CLI records what changes the project on a person's word (review
 * decisions); runs it starts are in run history with their trigger already.
 */
export async function recordCliChange(project: Project, entry: Omit<NewAuditEntry, 'actor'>): Promise<void> {
  const store = await openRunStore(project);
  try {
    await store.audit.append({ actor: cliActor(), ...entry });
  } finally {
    await store.close();
  }
}
