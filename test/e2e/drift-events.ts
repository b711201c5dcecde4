import assert from 'node:assert/strict';
import { sluice } from './cli-helpers.ts';

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

/** `sluice drift [PIPELINE] --json` in the project at `dir`, which must succeed. */
export async function listDriftEvents(dir: string, pipeline?: string): Promise<DriftEvent[]> {
  const listed = await sluice(dir, ['drift', ...(pipeline === undefined ? [] : [pipeline]), '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  return JSON.parse(listed.stdout) as DriftEvent[];
}

/** Each event as `column kind action [rows]`, for comparing with the expected list. */
export function describeDriftEvent(e: DriftEvent): string {
  return `${e.column} ${e.kind} ${e.action}${e.rows === undefined ? '' : ` ${e.rows}`}`;
}

/** The events of one stream (or block), described and sorted. */
export function driftEventsOf(events: readonly DriftEvent[], stream: string): string[] {
  return events.filter((e) => e.block === stream).map(describeDriftEvent).sort();
}
