// A test file whose test never ends. Not part of any suite (its folder
// starts with a dot); the runner's own test runs it to see --test-timeout end it.
import { it } from 'node:test';

it('waits forever', async () => {
  await new Promise((resolve) => setInterval(resolve, 60_000));
});
