import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A value a clean tool could not decide, once per distinct value, with how many rows hold it. */
export interface ReviewRow {
  readonly value: string;
  readonly count: number;
  readonly flag: string;
  readonly reason: string;
  /** The values it may stand for, best first, with their scores (0 to 1). */
  readonly candidates: readonly { readonly value: string; readonly score: number }[];
}

/** One cleaned column's undecided values, with the tool and settings that left them so. */
export interface ReviewColumn {
  readonly column: string;
  readonly tool: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly rows: readonly ReviewRow[];
}

/** The review output of a clean block's latest run: `.sluice/review/<pipeline>/<block>.json`. */
export interface CleanReview {
  readonly pipeline: string;
  readonly block: string;
  readonly runId: string;
  readonly writtenAt: string;
  readonly columns: readonly ReviewColumn[];
}

const reviewFolder = 'review';

export function cleanReviewFile(stateDir: string, pipeline: string, block: string): string {
  return path.join(stateDir, reviewFolder, pipeline, `${block}.json`);
}

/** Keeps a block run's review output in place of the last one; a run with nothing to review removes it. */
export function writeCleanReview(stateDir: string, review: CleanReview): void {
  const file = cleanReviewFile(stateDir, review.pipeline, review.block);
  if (!review.columns.some((c) => c.rows.length)) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  // Written aside and renamed, so a reader never sees half a file.
  const staged = `${file}.${process.pid}.tmp`;
  writeFileSync(staged, JSON.stringify(review, null, 1));
  renameSync(staged, file);
}

/** Every clean block's latest review output in the project. */
export function readCleanReviews(stateDir: string): CleanReview[] {
  const root = path.join(stateDir, reviewFolder);
  const reviews: CleanReview[] = [];
  for (const pipeline of listDir(root)) {
    for (const file of listDir(path.join(root, pipeline))) {
      if (!file.endsWith('.json')) continue;
      try {
        reviews.push(JSON.parse(readFileSync(path.join(root, pipeline, file), 'utf8')) as CleanReview);
      } catch {
        // A file removed or replaced while listing is simply not there.
      }
    }
  }
  return reviews;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
