import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SluiceError } from '../errors.ts';
import type { OutputStore } from './output-store.ts';

/**
 * The behaviour every output store must have, as node:test cases: what the
 * engine, the workers and the server rely on when they keep and read block
 * outputs. `open` is called once, before the cases; `close` after them.
 *
 * @example
 * describeOutputStoreContract('local folder', async () => ({ outputs: createLocalFolderOutputStore(dir) }));
 */
export function describeOutputStoreContract(name: string, open: () => Promise<{ outputs: OutputStore; close?: () => Promise<void> }>): void {
  describe(`${name} (output store contract)`, () => {
    let outputs: OutputStore;
    let close: (() => Promise<void>) | undefined;
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'sluice-output-contract-'));
    // Each case's own pipeline name, so cases never see each other's outputs.
    const pipeline = `p${randomUUID().slice(0, 8)}`;
    before(async () => ({ outputs, close } = await open()));
    after(async () => {
      await close?.();
      rmSync(scratch, { recursive: true, force: true });
    });

    /** Writes `bytes` where the store says the data plane stages this location, then keeps it. */
    async function keep(location: string, bytes: Buffer): Promise<void> {
      const staged = outputs.stagingPath(location, path.join(scratch, randomUUID()));
      mkdirSync(path.dirname(staged), { recursive: true });
      writeFileSync(staged, bytes);
      await outputs.write(location, staged);
    }

    it('gives each block run of each run a location of its own, and a run one location for all of them', () => {
      const locations = [
        outputs.location({ pipeline, runId: 'r1', block: 'a' }),
        outputs.location({ pipeline, runId: 'r1', block: 'b' }),
        outputs.location({ pipeline, runId: 'r2', block: 'a' }),
        outputs.location({ pipeline, runId: 'r1' }),
      ];
      assert.equal(new Set(locations).size, locations.length);
      assert.equal(outputs.location({ pipeline, runId: 'r1', block: 'a' }), locations[0], 'a location is the same each time it is asked');
    });

    it('keeps a staged file and reads it back byte for byte, as a local file', async () => {
      const location = outputs.location({ pipeline, runId: 'write', block: 'clean' });
      assert.equal(await outputs.exists(location), false);
      const bytes = randomBytes(200_000);
      await keep(location, bytes);
      assert.equal(await outputs.exists(location), true);
      const file = await outputs.read(location);
      assert.ok(path.isAbsolute(file), `read gives a local file the data plane can open, not ${file}`);
      assert.deepEqual(readFileSync(file), bytes);
      assert.deepEqual(readFileSync(await outputs.read(location)), bytes, 'a second read gives the same bytes');
    });

    it('reads the newer output when a location is written again (a retry, a takeover)', async () => {
      const location = outputs.location({ pipeline, runId: 'rewrite', block: 'clean' });
      await keep(location, Buffer.from('first attempt'));
      assert.equal(readFileSync(await outputs.read(location), 'utf8'), 'first attempt');
      await keep(location, Buffer.from('second attempt, longer'));
      assert.equal(readFileSync(await outputs.read(location), 'utf8'), 'second attempt, longer');
    });

    it("deletes one output, then a whole run's, and deleting what is gone is no error", async () => {
      const one = outputs.location({ pipeline, runId: 'gone', block: 'a' });
      const two = outputs.location({ pipeline, runId: 'gone', block: 'b' });
      const otherRun = outputs.location({ pipeline, runId: 'kept', block: 'a' });
      for (const location of [one, two, otherRun]) await keep(location, randomBytes(1000));
      await outputs.delete(one);
      assert.equal(await outputs.exists(one), false);
      assert.equal(await outputs.exists(two), true);
      await outputs.delete(outputs.location({ pipeline, runId: 'gone' }));
      assert.equal(await outputs.exists(two), false);
      assert.equal(await outputs.exists(otherRun), true, "removing a run's outputs leaves other runs' alone");
      await outputs.delete(one);
      await outputs.delete(outputs.location({ pipeline, runId: 'gone' }));
    });

    it("keeps files beside a block's output, replaces one of the same name, and removes them with the run's outputs", async () => {
      const ref = { pipeline, runId: 'files', block: 'features' };
      assert.deepEqual(await outputs.readFiles(ref), {});
      await outputs.writeFile(ref, 'fitted-transforms.json', '{"version":1}\n');
      await outputs.writeFile(ref, 'notes.json', 'first');
      await outputs.writeFile(ref, 'notes.json', 'second, longer');
      await outputs.writeFile({ ...ref, block: 'other' }, 'notes.json', 'the other block');
      assert.deepEqual(await outputs.readFiles(ref), { 'fitted-transforms.json': '{"version":1}\n', 'notes.json': 'second, longer' });
      assert.deepEqual(await outputs.readFiles({ ...ref, runId: 'files-elsewhere' }), {}, "another run's block of the same name has none");
      await assert.rejects(outputs.writeFile(ref, '../escape.json', 'x'), RangeError);
      await outputs.delete(outputs.location({ pipeline, runId: 'files' }));
      assert.deepEqual(await outputs.readFiles(ref), {});
      assert.deepEqual(await outputs.readFiles({ ...ref, block: 'other' }), {});
    });

    it('refuses to read an output that is not kept, naming where it looked', async () => {
      const location = outputs.location({ pipeline, runId: 'never', block: 'nothing' });
      await assert.rejects(outputs.read(location), (error: unknown) => {
        assert.ok(error instanceof SluiceError, String(error));
        assert.equal(error.code, 'outputs.missing');
        assert.ok(error.message.includes(location), error.message);
        return true;
      });
    });
  });
}
