import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { SluiceError } from '../errors.ts';
import type { S3Client } from './s3-client.ts';
import { missingObject, type S3Object, s3Url } from './s3-request.ts';
import { type BlockOutputRef, checkOutputFileName, type OutputRef, type OutputStore, outputFileNamePattern } from './output-store.ts';
import { createOutputCache, defaultOutputCacheMb } from './output-cache.ts';

export interface S3OutputStoreOptions {
  readonly bucket: string;
  /** Every key starts with it: `<prefix>/<pipeline>/<run id>/<block>.parquet`. */
  readonly prefix: string;
  /** Opened on first use, so a command that never touches outputs needs no credentials. */
  readonly client: () => S3Client;
  /** Where downloaded outputs are kept, by bucket, key and ETag, so each is downloaded once. */
  readonly cacheDir: string;
  /** The cache's bound: least recently used copies nobody reads are pruned past it. */
  readonly cacheMaxBytes?: number | undefined;
}

/**
 * Outputs as Parquet objects in an S3-compatible bucket, so workers on other
 * machines share them with nothing but the bucket. The data plane reads and
 * writes local files: `read` downloads an output to the cache (once per
 * version, checked by ETag), `write` uploads the file the data plane staged
 * and keeps it as the cached copy, so the next block in this process
 * downloads nothing. Locations are `s3://bucket/key`; a run's location ends
 * in `/` and names every output under it. A location that is a plain path was
 * kept in the local folder before the project moved to S3, and is read there.
 * Files a block run keeps beside its output are objects under `<block>.files/`,
 * read straight from the bucket (they are small), never cached.
 */
export function createS3OutputStore(options: S3OutputStoreOptions): OutputStore {
  const { bucket, cacheDir } = options;
  let opened: S3Client | undefined;
  const client = (): S3Client => (opened ??= options.client());
  const prefix = options.prefix.replace(/^\/+|\/+$/g, '');
  const keyOf = (...parts: string[]): string => [prefix, ...parts].filter(Boolean).join('/');
  const downloading = new Map<string, Promise<string>>();
  const cache = createOutputCache({ dir: cacheDir, maxBytes: options.cacheMaxBytes ?? defaultOutputCacheMb * 2 ** 20 });
  const prune = (): void => {
    try {
      cache.prune();
    } catch {
      // A cache that cannot be pruned now is pruned at the next download; the output itself is fine.
    }
  };

  /** The cached copy of one version of an object; without an ETag, a copy of its own (it cannot be told apart from the next). */
  function cachePath(object: S3Object, etag: string): string {
    const slug = etag.replace(/[^A-Za-z0-9-]/g, '') || randomUUID();
    return path.join(cachedFolder(object.bucket, path.posix.dirname(object.key)), `${path.posix.basename(object.key, '.parquet')}.${slug}.parquet`);
  }

  /** The cache's folder for a folder of keys (`sales/run-1`). */
  function cachedFolder(bucket: string, keyFolder: string): string {
    const folder = path.resolve(cacheDir, bucket, ...keyFolder.split('/'));
    if (!folder.startsWith(path.resolve(cacheDir) + path.sep)) throw new SluiceError('outputs.bad_location', `${s3Url({ bucket, key: keyFolder })} names a key outside its bucket's cache`);
    return folder;
  }

  /** Removes every cached version of an object. */
  function forgetCached(object: S3Object): void {
    const folder = cachedFolder(object.bucket, path.posix.dirname(object.key));
    if (!existsSync(folder)) return;
    const base = path.posix.basename(object.key, '.parquet');
    for (const name of readdirSync(folder)) {
      if (name.startsWith(`${base}.`) && /^[A-Za-z0-9-]+\.parquet$/.test(name.slice(base.length + 1))) rmSync(path.join(folder, name), { force: true });
    }
  }

  async function download(object: S3Object, cached: string): Promise<string> {
    mkdirSync(path.dirname(cached), { recursive: true });
    // Downloaded under a name of its own and renamed whole, so a process beside this one never reads half a file.
    const part = `${cached}.${randomUUID()}.part`;
    try {
      const etag = await client().download(object, part);
      // The object may have changed since HEAD: the copy is filed under the version GET returned.
      const filed = etag ? cachePath(object, etag) : cached;
      renameSync(part, filed);
      return filed;
    } finally {
      rmSync(part, { force: true });
    }
  }

  const filesPrefix = ({ pipeline, runId, block }: BlockOutputRef): string => `${keyOf(pipeline, runId, `${block}.files`)}/`;

  /** Runs `use` with a scratch folder of its own, removed after. */
  async function withScratch<T>(use: (dir: string) => Promise<T>): Promise<T> {
    // Not in the cache's folder, which pruning tidies.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-output-files-'));
    try {
      return await use(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  return {
    location({ pipeline, runId, block }: OutputRef) {
      return s3Url({ bucket, key: block === undefined ? `${keyOf(pipeline, runId)}/` : keyOf(pipeline, runId, `${block}.parquet`) });
    },
    async exists(location) {
      const object = parseS3Url(location);
      if (!object) return existsSync(location);
      return (await client().head(object)) !== undefined;
    },
    async read(location) {
      const object = parseS3Url(location);
      if (!object) return location;
      const etag = await client().head(object);
      if (etag === undefined) throw missingObject(object);
      const cached = cachePath(object, etag);
      // Pinned before it is looked for, so no pruning (here or in a process beside) removes it in between.
      cache.pin(cached);
      if (existsSync(cached)) return cached;
      let pending = downloading.get(cached);
      if (!pending) {
        pending = download(object, cached).finally(() => downloading.delete(cached));
        downloading.set(cached, pending);
      }
      let filed: string;
      try {
        filed = await pending;
      } catch (error) {
        cache.release(cached);
        throw error;
      }
      if (filed !== cached) {
        cache.pin(filed);
        cache.release(cached);
      }
      prune();
      return filed;
    },
    release(file) {
      cache.release(file);
    },
    stagingPath(location, scratchDir) {
      const object = parseS3Url(location);
      return object ? path.join(scratchDir, `${path.posix.basename(object.key, '.parquet')}.output.parquet`) : location;
    },
    async write(location, staged) {
      const object = parseS3Url(location);
      if (!object) throw new SluiceError('outputs.not_s3', `cannot keep an output at ${location}: outputs go to s3://${bucket}`);
      const etag = await client().upload(object, staged);
      // The file just uploaded is that version of the object: cached, a downstream block here downloads nothing.
      forgetCached(object);
      try {
        const cached = cachePath(object, etag);
        mkdirSync(path.dirname(cached), { recursive: true });
        renameSync(staged, cached);
      } catch {
        rmSync(staged, { force: true });
      }
      prune();
    },
    async delete(location) {
      const object = parseS3Url(location);
      if (!object) return rmSync(location, { recursive: true, force: true });
      if (!object.key.endsWith('/')) {
        await client().remove(object);
        return forgetCached(object);
      }
      // Listed whole before removing, so no page of the listing shifts under the removals.
      const keys: string[] = [];
      for await (const key of client().list(object.bucket, object.key)) keys.push(key);
      for (const key of keys) await client().remove({ bucket: object.bucket, key });
      rmSync(cachedFolder(object.bucket, object.key.replace(/\/$/, '')), { recursive: true, force: true });
    },
    async writeFile(ref, name, contents) {
      checkOutputFileName(name);
      await withScratch(async (dir) => {
        const file = path.join(dir, 'upload');
        writeFileSync(file, contents);
        await client().upload({ bucket, key: `${filesPrefix(ref)}${name}` }, file);
      });
    },
    async readFiles(ref) {
      const prefix = filesPrefix(ref);
      const names: string[] = [];
      for await (const key of client().list(bucket, prefix)) {
        const name = key.slice(prefix.length);
        if (outputFileNamePattern.test(name)) names.push(name);
      }
      if (!names.length) return {};
      return withScratch(async (dir) => {
        const files: Record<string, string> = {};
        for (const [i, name] of names.sort().entries()) {
          const file = path.join(dir, String(i));
          await client().download({ bucket, key: `${prefix}${name}` }, file);
          files[name] = readFileSync(file, 'utf8');
        }
        return files;
      });
    },
  };
}

/** The bucket and key of an `s3://` location; undefined for a local path. */
export function parseS3Url(location: string): S3Object | undefined {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(location);
  return match ? { bucket: match[1]!, key: match[2]! } : undefined;
}
