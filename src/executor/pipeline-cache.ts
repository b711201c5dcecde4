import { statSync } from 'node:fs';
import { loadPipeline } from '../core/pipeline/load-pipeline.ts';
import type { Pipeline } from '../core/pipeline/pipeline.ts';

/** A file's size and time of change, or `-` when it is gone. */
function stampOf(file: string): string {
  try {
    const stat = statSync(file);
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return '-';
  }
}

/** Files changed this recently are not trusted to stamp a load: a write in the same tick would keep the stamp. */
const settleMs = 2_000;

/**
 * Loads each pipeline once while its files stay as they were: a worker takes
 * many block runs of one pipeline, and parsing and hashing a wide pipeline
 * costs far more than one block run of it. A change to the pipeline file or
 * a block file (its size or time of change) loads it again, so the version a
 * worker compares against a job's is always its checkout's.
 */
export function createPipelineCache(root: string): { get(name: string): Pipeline } {
  const cache = new Map<string, { readonly pipeline: Pipeline; readonly stamps: readonly (readonly [string, string])[] }>();
  return {
    get(name) {
      const hit = cache.get(name);
      if (hit && hit.stamps.every(([file, stamp]) => stampOf(file) === stamp)) return hit.pipeline;
      const pipeline = loadPipeline(root, name);
      const files = new Set([pipeline.file, ...pipeline.blocks.flatMap((b) => ('file' in b && typeof b.file === 'string' ? [b.file] : []))]);
      const stamps = [...files].map((file) => [file, stampOf(file)] as const);
      const settled = stamps.every(([, stamp]) => stamp === '-' || Date.now() - Number(stamp.split(':')[1]) > settleMs);
      if (settled) cache.set(name, { pipeline, stamps });
      else cache.delete(name);
      return pipeline;
    },
  };
}
