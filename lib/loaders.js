// What loading TypeScript without a build step needs: tsx, and the resolver
// that gives a project's blocks this copy of Sluice when they import 'sluice'.
import { register } from 'node:module';

let registering;

/** Registers both, once; `sluiceEntry` is the module URL a block's `import 'sluice'` loads. */
export function registerLoaders(sluiceEntry) {
  registering ??= (async () => {
    // Imported only when called: the command started from its bundle may never need tsx.
    const { register: registerTypeScript } = await import('tsx/esm/api');
    registerTypeScript();
    register('./resolve-sluice.mjs', { parentURL: import.meta.url, data: { entry: sluiceEntry } });
  })();
  return registering;
}
