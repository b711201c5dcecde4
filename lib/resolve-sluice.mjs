// Module resolution for a project's TypeScript blocks.
// - The bare name `sluice` maps to this copy of Sluice, so blocks can import
//   the block API without installing the package into the project.
// - Block files are ES modules whatever the project's package.json says, so a
//   project needs no package.json at all.
let entry = new URL('../src/index.ts', import.meta.url).href;
const blockMarker = 'sluice-block';

/** `entry`: the Sluice a block gets, the sources or the command's bundle (lib/loaders.js). */
export function initialize(data) {
  if (data?.entry) entry = data.entry;
}

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'sluice') return { url: entry, shortCircuit: true, format: 'module' };
  const resolved = await nextResolve(specifier, context);
  const parent = context.parentURL ?? '';
  const fromBlock = resolved.url.includes(blockMarker) || parent.includes(blockMarker);
  if (fromBlock && /\.[mc]?ts(\?|$)/.test(resolved.url) && !/\.cts(\?|$)/.test(resolved.url)) {
    return { ...resolved, format: 'module' };
  }
  return resolved;
}
