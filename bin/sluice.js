#!/usr/bin/env node
// The sluice command. Sluice is TypeScript run through tsx, so neither Sluice
// nor a project's blocks need a build step. When `npm install` has bundled
// Sluice's sources and none has changed since, the command starts from that
// bundle instead, about a second sooner, and registers tsx only when it first
// loads a project's own code (see src/core/run/block-loaders.ts).
import { freshCliBundle } from '../lib/cli-bundle.js';
import { registerLoaders } from '../lib/loaders.js';

// A closed pipe (`sluice runs | head`) is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const bundle = freshCliBundle();
let main;
if (bundle) {
  globalThis[Symbol.for('sluice.registerBlockLoaders')] = () => registerLoaders(bundle.library);
  ({ main } = await import(bundle.cli));
} else {
  await import('../lib/register-loaders.js');
  ({ main } = await import('../src/cli/main.ts'));
}
// Exit once the command is done, even if abandoned work (a block past its timeout) still holds timers.
process.exit(await main(process.argv));
