// Sluice is TypeScript run without a build step: this registers tsx, so its
// sources and a project's .ts blocks load, and the resolver that gives blocks
// this copy of Sluice when they import 'sluice'. Both the `sluice` command and
// the library entry import it before anything else of Sluice.
import { register } from 'node:module';
import { register as registerTypeScript } from 'tsx/esm/api';

registerTypeScript();
register('./resolve-sluice.mjs', import.meta.url);
