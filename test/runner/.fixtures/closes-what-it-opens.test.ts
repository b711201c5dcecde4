// A test file that closes the server it opens, so its process ends by itself.
// Not part of any suite (its folder starts with a dot).
import { createServer } from 'node:net';
import { it } from 'node:test';

it('opens a server and closes it', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});
