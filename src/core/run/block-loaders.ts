/**
 * Makes sure a project's own modules (TypeScript blocks, stream transformers)
 * can be imported. Run from Sluice's sources, tsx and the resolver that maps
 * `import 'sluice'` were registered before anything else; the command started
 * from its bundle leaves their registration under this key, to be done before
 * the first such import, so commands that load no project code never pay for it.
 */
const registerKey = Symbol.for('sluice.registerBlockLoaders');

export async function ensureBlockLoaders(): Promise<void> {
  const register = (globalThis as Record<symbol, unknown>)[registerKey];
  if (typeof register === 'function') await (register as () => Promise<void>)();
}
