// A test file that passes but leaves a server listening, so its process never
// ends on its own. Not part of any suite (its folder starts with a dot); the
// runner's own test runs it to see the runner fail it by name.
import { createServer } from 'node:net';
import { it } from 'node:test';

it('passes, and leaves a server listening', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
