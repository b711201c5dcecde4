/** A drift event as `sluice drift --json` lists it. */
export interface DriftEvent {
  runId: string;
  block: string;
  column: string;
  kind: string;
  after?: string;
  action: string;
  rows?: number;
  samples?: Record<string, unknown>[];
}
