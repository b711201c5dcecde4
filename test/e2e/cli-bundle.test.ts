import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
// @ts-expect-error: a plain JavaScript module of the package, without types
import { freshCliBundle } from '../../lib/cli-bundle.js';
import { repoRoot, sluice, tempDir } from './cli-helpers.ts';

type Fresh = (root?: string) => { cli: string; library: string } | undefined;
const fresh = freshCliBundle as Fresh;

describe('the bundle the sluice command starts from', () => {
  const { dir, cleanup } = tempDir('sluice-cli-bundle-');
  after(cleanup);

  /** A package folder with one source file and a bundle manifest taken of it as it is now. */
  function packageWith(name: string, source: string): { root: string; file: string } {
    const root = path.join(dir, name);
    const file = path.join(root, 'src', 'a.ts');
    mkdirSync(path.dirname(file), { recursive: true });
    mkdirSync(path.join(root, 'dist', 'cli'), { recursive: true });
    writeFileSync(file, source);
    const stat = statSync(file);
    const sha1 = createHash('sha1').update(source).digest('hex');
    writeFileSync(path.join(root, 'dist', 'cli', 'manifest.json'), JSON.stringify({ format: 1, cli: 'cli.js', library: 'library.js', inputs: [['src/a.ts', stat.size, stat.mtimeMs, sha1]] }));
    return { root, file };
  }

  it('is used while every source it was built from is unchanged, also when only the times changed', () => {
    const { root, file } = packageWith('same', 'export const a = 1;\n');
    assert.equal(fresh(root)?.cli, `file://${path.join(root, 'dist', 'cli', 'cli.js')}`);
    utimesSync(file, new Date('1985-10-26'), new Date('1985-10-26')); // as an unpacked tarball has them
    assert.ok(fresh(root), 'the same content under another time is still the same source');
  });

  it('is not used once a source changed, even to the same size, or is gone', () => {
    const changed = packageWith('changed', 'export const a = 1;\n');
    writeFileSync(changed.file, 'export const a = 2;\n');
    assert.equal(fresh(changed.root), undefined);
    const gone = packageWith('gone', 'export const a = 1;\n');
    rmSync(gone.file);
    assert.equal(fresh(gone.root), undefined);
    assert.equal(fresh(path.join(dir, 'no-bundle')), undefined);
  });

  describe('running a project', () => {
    const project = path.join(dir, 'project');
    before(() => {
      // npm install builds it; a checkout whose sources changed since gets it rebuilt here.
      if (!fresh()) execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'build-cli.mjs')], { stdio: 'pipe' });
      assert.ok(fresh(), 'the bundle matches the sources after a build');
      mkdirSync(path.join(project, 'blocks'), { recursive: true });
      mkdirSync(path.join(project, 'pipelines'), { recursive: true });
      writeFileSync(path.join(project, 'sluice.yaml'), 'name: bundle_check\n');
      writeFileSync(
        path.join(project, 'blocks', 'refuse.ts'),
        "import { defineLoader, SluiceError } from 'sluice';\nexport default defineLoader(async () => {\n  throw new SluiceError('orders.refused', 'order 7 has no customer');\n});\n",
      );
      writeFileSync(path.join(project, 'blocks', 'rows.ts'), "import { defineLoader } from 'sluice';\nexport default defineLoader(async () => [{ id: 1 }, { id: 2 }]);\n");
      writeFileSync(path.join(project, 'pipelines', 'refuse.yaml'), 'blocks:\n  - name: refuse\n    role: loader\n    file: blocks/refuse.ts\n');
      writeFileSync(path.join(project, 'pipelines', 'rows.yaml'), 'blocks:\n  - name: rows\n    role: loader\n    file: blocks/rows.ts\n');
    });

    for (const [mode, env] of [
      ['from the bundle', {}],
      ['from the sources', { SLUICE_FROM_SOURCE: '1' }],
    ] as const) {
      it(`runs TypeScript blocks that import 'sluice' ${mode}, with the error a block throws as its own`, async () => {
        const ok = await sluice(project, ['run', 'rows'], env);
        assert.equal(ok.code, 0, ok.stderr + ok.stdout);
        assert.match(ok.stdout, /rows\s+loader\s+0 in → 2 out/);
        const refused = await sluice(project, ['run', 'refuse'], env);
        assert.equal(refused.code, 1, refused.stderr + refused.stdout);
        // The block's SluiceError is Sluice's own class: its message stands alone, with no error name before it.
        assert.match(refused.stderr, /blocks\/refuse\.ts, block 'refuse': order 7 has no customer/);
        assert.doesNotMatch(refused.stderr + refused.stdout, /SluiceError:/);
      });
    }
  });
});
