// Bundles Sluice's TypeScript sources into dist/cli, so the `sluice` command
// starts without passing some 400 modules one by one through tsx (about a
// second of every command). Run by `npm install` (prepare). The bundle is only
// a cache: bin/sluice.js starts from it while every source it was built from is
// unchanged (lib/cli-bundle.js), and from the sources otherwise.
//
// Chunks are named by their content and kept for one build more: a command or
// server started from the previous build still finds the chunks it loads
// later. The manifest, renamed into place last, makes a build current.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bundleDir = path.join(root, 'dist', 'cli');
const chunksDir = path.join(bundleDir, 'chunks');
const manifestFile = path.join(bundleDir, 'manifest.json');
const stagingDir = path.join(bundleDir, `.staging-${process.pid}`);

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

let previousChunks = [];
try {
  previousChunks = JSON.parse(readFileSync(manifestFile, 'utf8')).chunks ?? [];
} catch {
  // No earlier build.
}
mkdirSync(chunksDir, { recursive: true });
const chunks = readdirSync(path.join(stagingDir, 'chunks'));
for (const chunk of chunks) renameSync(path.join(stagingDir, 'chunks', chunk), path.join(chunksDir, chunk));
for (const entry of ['cli.js', 'cli.js.map', 'library.js', 'library.js.map']) {
  if (existsSync(path.join(stagingDir, entry))) renameSync(path.join(stagingDir, entry), path.join(bundleDir, entry));
}
const staged = `${manifestFile}.${process.pid}`;
writeFileSync(staged, JSON.stringify({ format: 1, cli: 'cli.js', library: 'library.js', chunks, inputs }));
renameSync(staged, manifestFile);
rmSync(stagingDir, { recursive: true, force: true });
const kept = new Set([...chunks, ...previousChunks]);
for (const chunk of readdirSync(chunksDir)) {
  if (!kept.has(chunk)) rmSync(path.join(chunksDir, chunk), { force: true });
}
console.log(`bundled ${inputs.length} source files into ${path.relative(root, bundleDir)}`);
