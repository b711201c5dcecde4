#!/usr/bin/env node
// The sluice command: TypeScript sources run through tsx, so neither Sluice
// nor a project's blocks need a build step.
import '../lib/register-loaders.js';

// A closed pipe (`sluice runs | head`) is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const { main } = await import('../src/cli/main.ts');
// Exit once the command is done, even if abandoned work (a block past its timeout) still holds timers.
process.exit(await main(process.argv));
