// The shapes of /api/dictionaries (docs/api.md), as the server declares them.
export type { DictionarySummary } from '../../../../src/server/routes/dictionary-routes.ts';
export type { PendingValue } from '../../../../src/toolkit/dictionary/pending-review.ts';
export type { ReviewDecision } from '../../../../src/toolkit/dictionary/record-decisions.ts';
