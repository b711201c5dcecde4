import { existsSync, readFileSync } from 'node:fs';
import { loadPipeline } from '../core/pipeline/load-pipeline.ts';
import type { Pipeline } from '../core/pipeline/pipeline.ts';

/** A file's bytes now, or undefined when it cannot be read (gone). */
function bytesOf(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

interface Loaded {
  readonly pipeline: Pipeline;
  /** The bytes the version was computed from, as the load read them. */
  readonly read: ReadonlyMap<string, Buffer>;
  /** Block files the load only checked exist (their text is read when the block runs). */
  readonly present: readonly string[];
}

/**
 * Loads each pipeline once while its files keep their text: a worker takes
 * many block runs of one pipeline, and parsing and hashing a wide pipeline
 * costs far more than one block run of it. The files are compared by content,
 * with the bytes the load itself hashed into the version, so the version a
 * worker compares against a job's is always its checkout's: a change that
 * keeps a file's size and time of change is seen, and so is one made while
 * the pipeline was loading.
 */
export function createPipelineCache(root: string): { get(name: string): Pipeline } {
  const cache = new Map<string, Loaded>();
  const holds = (loaded: Loaded): boolean =>
    [...loaded.read].every(([file, bytes]) => bytesOf(file)?.equals(bytes) === true) && loaded.present.every((file) => existsSync(file));
  return {
    get(name) {
      const hit = cache.get(name);
      if (hit && holds(hit)) return hit.pipeline;
      const read = new Map<string, Buffer>();
      const pipeline = loadPipeline(root, name, (file, bytes) => read.set(file, bytes));
      const present = pipeline.blocks.flatMap((b) => ('file' in b && typeof b.file === 'string' && !read.has(b.file) ? [b.file] : []));
      cache.set(name, { pipeline, read, present });
      return pipeline;
    },
  };
}
