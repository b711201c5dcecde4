import { endpoint, type Answer, type Endpoint } from '../../api/client.ts';

/** The areas an action belongs to (`run` takes `run.start`, `run.retry`...); `api` is a change no route described. */
export const auditAreas = ['file', 'run', 'backfill', 'connection', 'trigger', 'git', 'dictionary', 'session', 'api'] as const;

export interface AuditFilters {
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly since: string;
  readonly until: string;
}

export function auditFiltersOf(params: URLSearchParams): AuditFilters {
  return { actor: params.get('actor') ?? '', action: params.get('action') ?? '', target: params.get('target') ?? '', since: params.get('since') ?? '', until: params.get('until') ?? '' };
}

/** A page of entries for these filters; days are whole UTC days. */
export function auditRoute(filters: AuditFilters, cursor: number | undefined, limit: number): Endpoint<Answer<'GET /api/audit'>> {
  return endpoint('GET /api/audit', {
    query: {
    actor: filters.actor,
    action: filters.action,
    target: filters.target,
    since: filters.since ? `${filters.since}T00:00:00.000Z` : '',
    until: filters.until ? `${filters.until}T23:59:59.999Z` : '',
    cursor,
    limit,
    },
  });
}
