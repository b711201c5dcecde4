import type { AuditNote } from './audit-trail.ts';
import { unifiedDiff } from './unified-diff.ts';

/** A diff longer than this is cut, and the entry says so: the file itself is in git, the log is not an archive. */
export const maxAuditDiffChars = 64 * 1024;

/**
 * The audit entry of a file saved from the UI: what changed, as a unified
 * diff. `before` is the old content, undefined for a new file, or `null` when
 * it was too large to read (then there is no diff, and the entry says why).
 */
export function fileEditNote(file: string, before: string | undefined | null, after: string): AuditNote {
  if (before === null) return { action: 'file.edit', target: file, detail: { created: false, bytes: Buffer.byteLength(after), diffOmitted: 'the previous content was over 2 MB' } };
  return { action: 'file.edit', target: file, detail: { created: before === undefined, bytes: Buffer.byteLength(after), ...auditDiff(unifiedDiff(before ?? '', after, file)) } };
}

/** A diff as an audit entry keeps it: cut at 64 KB, saying so and how long it was. */
export function auditDiff(diff: string): { diff: string; diffTruncated?: true; diffChars?: number } {
  if (diff.length <= maxAuditDiffChars) return { diff };
  return { diff: `${diff.slice(0, maxAuditDiffChars)}\n... diff cut at ${maxAuditDiffChars} of ${diff.length} characters\n`, diffTruncated: true, diffChars: diff.length };
}
