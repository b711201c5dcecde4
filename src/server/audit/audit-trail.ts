import type { Context, MiddlewareHandler } from 'hono';
import type { AuditLog, NewAuditEntry } from '../../core/run-store/audit-log.ts';

/** Who made a request: `token` or `session:<short hash>` today, and where it came from. */
export interface AuditActor {
  readonly name: string;
  readonly address?: string | undefined;
}

/** What a route did, as it wants it in the audit log; `false` for a request that changes nothing (a check, a preview). */
export type AuditNote = Pick<NewAuditEntry, 'action' | 'target' | 'detail'> | false;

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by the sign-in check; a later users feature puts the user's name here. */
    actor: AuditActor;
    /** Set by a route that changed something, to say what. */
    audit: AuditNote;
  }
}

const changing = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Records every request that changed something and succeeded, once it is
 * answered: as the route described it (`c.set('audit', ...)`), else as its
 * method and path, so a new route is audited before anyone thinks of it.
 * An entry that cannot be written fails the request loudly rather than
 * leaving a change unrecorded in silence.
 */
export function auditTrail(log: AuditLog): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (!changing.has(c.req.method) || c.res.status >= 400) return;
    const note = c.get('audit');
    const actor = c.get('actor');
    if (note === false || !actor) return;
    const entry = note ?? { action: `api.${c.req.method.toLowerCase()}`, target: c.req.path };
    // The files the change touched, with their diffs (project-file-changes.ts); a saved file's entry has its own diff.
    const files = entry.action === 'file.edit' ? undefined : c.get('fileChanges');
    await log.append({ actor: actor.name, address: actor.address, ...entry, ...(files?.length ? { detail: { ...entry.detail, files } } : {}) });
  };
}

/** What a route tells the audit trail it did; `false` for a request that changed nothing. */
export function noteAudit(c: Context, note: AuditNote): void {
  c.set('audit', note);
}
