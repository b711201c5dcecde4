import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createOutputCache } from './output-cache.ts';

describe('the output cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-output-cache-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Four cached outputs of 100 bytes, `a` used longest ago and `d` last, in two run folders. */
  function fill(): Record<'a' | 'b' | 'c' | 'd', string> {
    const files = { a: 'bucket/p/run-1/a.e1.parquet', b: 'bucket/p/run-1/b.e2.parquet', c: 'bucket/p/run-2/c.e3.parquet', d: 'bucket/p/run-2/d.e4.parquet' };
    const start = Date.now() / 1000 - 3600;
    Object.values(files).forEach((file, i) => {
      const full = path.join(dir, file);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, Buffer.alloc(100));
      utimesSync(full, start + i * 60, start + i * 60);
    });
    return Object.fromEntries(Object.entries(files).map(([k, f]) => [k, path.join(dir, f)])) as Record<'a' | 'b' | 'c' | 'd', string>;
  }
  const left = (files: Record<string, string>) => Object.keys(files).filter((k) => existsSync(files[k]!));

  it('removes the least recently used files until it is within its bound', () => {
    const files = fill();
    assert.deepEqual(createOutputCache({ dir, maxBytes: 250 }).prune(), { files: 2, bytes: 200 });
    assert.deepEqual(left(files), ['c', 'd']);
    assert.equal(existsSync(path.join(dir, 'bucket/p/run-1')), false, 'an emptied run folder goes too');
  });

  it('removes nothing while within its bound', () => {
    const files = fill();
    assert.deepEqual(createOutputCache({ dir, maxBytes: 400 }).prune(), { files: 0, bytes: 0 });
    assert.deepEqual(left(files), ['a', 'b', 'c', 'd']);
  });

  it('never removes a file in use, and may once it is released', () => {
    const files = fill();
    const cache = createOutputCache({ dir, maxBytes: 250 });
    cache.pin(files.b);
    cache.pin(files.b);
    utimesSync(files.b, 0, 0); // still the oldest: in use is what keeps it
    cache.prune();
    assert.deepEqual(left(files), ['b', 'd'], 'the next least recently used went in its place');
    cache.release(files.b);
    cache.prune();
    assert.deepEqual(left(files), ['b', 'd'], 'pinned twice, released once: still in use');
    cache.release(files.b);
    createOutputCache({ dir, maxBytes: 150 }).prune();
    assert.deepEqual(left(files), ['d']);
  });

  it('counts a read as a use: a file just pinned and released is the last to go', () => {
    const files = fill();
    const cache = createOutputCache({ dir, maxBytes: 250 });
    cache.pin(files.a);
    cache.release(files.a);
    cache.prune();
    assert.deepEqual(left(files), ['a', 'd']);
  });

  it("respects the pins of another live process on the machine, and drops a dead one's", () => {
    const files = fill();
    // The test runner that started this process lives as long as it does.
    writeFileSync(`${files.a}.pin-${process.ppid}`, '');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(`${files.b}.pin-${dead}`, '');
    createOutputCache({ dir, maxBytes: 250 }).prune();
    assert.deepEqual(left(files), ['a', 'd']);
    assert.equal(existsSync(`${files.b}.pin-${dead}`), false, "a dead process's pin is removed");
    assert.equal(existsSync(`${files.a}.pin-${process.ppid}`), true);
  });

  it('leaves downloads under way alone and does not count them', () => {
    const files = fill();
    const part = `${files.c}.0c1d.part`;
    writeFileSync(part, Buffer.alloc(1000));
    createOutputCache({ dir, maxBytes: 400 }).prune();
    assert.deepEqual(left(files), ['a', 'b', 'c', 'd']);
    assert.ok(readdirSync(path.dirname(part)).includes(path.basename(part)));
  });
});
