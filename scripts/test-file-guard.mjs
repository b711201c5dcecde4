// Loaded by scripts/run-tests.mjs into every test file's process (--import).
// Once the file's tests and hooks have ended, the process has
// SLUICE_TEST_LINGER_MS (default 120 s) to exit on its own. If something the
// tests opened still holds it (a server left listening, a client never closed,
// an interval never cleared), it prints the file's name and what is still open
// and exits with code 1, so the runner reports that file as failed instead of
// waiting for it forever.
//
// The runner starts a process per test file with NODE_TEST_CONTEXT set; its
// own process, which also loads this module, is left alone.
if (process.env.NODE_TEST_CONTEXT) {
  const { after } = await import('node:test');
  const lingerMs = Number(process.env.SLUICE_TEST_LINGER_MS ?? 120_000);
  // Registered before the file's own root hooks, this one runs first: the limit leaves them room to
  // close servers and drop databases on a busy machine before the clock can end the file.
  after(() => {
    setTimeout(() => {
      // stdin, stdout and stderr are pipes to the runner; they are not the file's.
      const open = process.getActiveResourcesInfo().filter((kind) => kind !== 'PipeWrap' && kind !== 'TTYWrap');
      process.stderr.write(
        `${process.argv[1]}: still running ${lingerMs / 1000} s after its tests ended; ` +
          `open: ${open.join(', ') || 'nothing Node can name'}. ` +
          'Close what the tests opened (servers, clients, timers) in an after hook.\n',
      );
      process.exit(1);
    }, lingerMs).unref();
  });
}
