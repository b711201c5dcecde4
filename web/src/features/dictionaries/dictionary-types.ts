// The shapes of /api/dictionaries (docs/api.md), as the server declares them.
export type { DictionarySummary, PendingValue, ReviewDecision } from '@sluice/api';
