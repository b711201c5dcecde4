// Bundles Sluice's TypeScript sources into dist/cli, so the `sluice` command
// starts without passing some 350 modules one by one through tsx (about a
// second of every command). Run by `npm install` (prepare). The bundle is only
// a cache: bin/sluice.js starts from it while every source it was built from is
// unchanged (lib/cli-bundle.js), and from the sources otherwise.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'dist', 'cli');
const stagingDir = `${outDir}.building-${process.pid}`;

rmSync(stagingDir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  // The library entry is what a project's blocks get for `import 'sluice'`: built together with the
  // command, it shares its modules, so a block's SluiceError is the command's SluiceError.
  entryPoints: { cli: 'src/cli/main.ts', library: 'src/index.ts' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  outdir: stagingDir,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
});

const inputs = Object.keys(result.metafile.inputs)
  .filter((file) => !file.includes('node_modules/'))
  .sort()
  .map((file) => {
    const stat = statSync(path.join(root, file));
    const sha1 = createHash('sha1').update(readFileSync(path.join(root, file))).digest('hex');
    return [file, stat.size, stat.mtimeMs, sha1];
  });
// Written last: a bundle without its manifest is never used.
writeFileSync(path.join(stagingDir, 'manifest.json'), JSON.stringify({ format: 1, cli: 'cli.js', library: 'library.js', inputs }));
rmSync(outDir, { recursive: true, force: true });
renameSync(stagingDir, outDir);
console.log(`bundled ${inputs.length} source files into ${path.relative(root, outDir)}`);
