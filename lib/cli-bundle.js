// Whether the `sluice` command can start from the bundle of Sluice's sources
// that `npm install` builds (scripts/build-cli.mjs), and where it is.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packageRoot = fileURLToPath(new URL('../', import.meta.url));

/**
 * The bundle's entries when every source file it was built from is unchanged,
 * else undefined (the command then runs the sources through tsx). A file whose
 * size differs is changed; one whose modification time differs (a fresh checkout
 * or an unpacked tarball) is compared by content. SLUICE_FROM_SOURCE=1 skips
 * the bundle.
 */
export function freshCliBundle(root = packageRoot) {
  if (process.env.SLUICE_FROM_SOURCE === '1') return undefined;
  const bundleDir = pathToFileURL(path.join(root, 'dist', 'cli', '/'));
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(new URL('manifest.json', bundleDir), 'utf8'));
  } catch {
    return undefined;
  }
  if (manifest.format !== 1) return undefined;
  for (const [file, size, mtimeMs, sha1] of manifest.inputs) {
    const stat = statSync(path.join(root, file), { throwIfNoEntry: false });
    if (stat?.size !== size) return undefined;
    if (stat.mtimeMs !== mtimeMs && createHash('sha1').update(readFileSync(path.join(root, file))).digest('hex') !== sha1) return undefined;
  }
  return { cli: new URL(manifest.cli, bundleDir).href, library: new URL(manifest.library, bundleDir).href };
}
