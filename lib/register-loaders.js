// Sluice is TypeScript run without a build step: this registers tsx, so its
// sources and a project's .ts blocks load, and the resolver that gives blocks
// this copy of Sluice when they import 'sluice'. The library entry, and the
// `sluice` command when it runs from sources, import it before anything else
// of Sluice.
import { registerLoaders } from './loaders.js';

await registerLoaders(new URL('../src/index.ts', import.meta.url).href);
