import type { RunRecord } from '../core/run-store/run-store.ts';

/** What a scheduler tells its caller (the CLI's lines, the server's log) as it works. */
export type SchedulerEvent =
  | { readonly kind: 'leader'; readonly owner: string }
  | { readonly kind: 'standby'; readonly owner: string }
  | { readonly kind: 'fired'; readonly pipeline: string; readonly logicalDate: string; readonly runId: string; readonly lateMs: number }
  | { readonly kind: 'skipped'; readonly pipeline: string; readonly logicalDate: string; readonly reason: string }
  | { readonly kind: 'reaped'; readonly run: RunRecord }
  | { readonly kind: 'not_retried'; readonly run: RunRecord; readonly reason: string }
  | { readonly kind: 'requeued'; readonly pipeline: string; readonly runId: string; readonly attempt: number }
  | { readonly kind: 'finished'; readonly pipeline: string; readonly runId: string }
  | { readonly kind: 'deadline'; readonly pipeline: string; readonly runId: string; readonly deadline: Date }
  | { readonly kind: 'error'; readonly pipeline?: string; readonly message: string };
