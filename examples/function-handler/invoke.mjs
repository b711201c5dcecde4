#!/usr/bin/env node
// Invokes the handler locally, as the platform would: one event, one answer.
//   node examples/function-handler/invoke.mjs '{"pipeline":"daily_sales"}'
// Prints the answer as JSON and exits 0 when the run succeeded, 1 when it did not.
import { close, handler } from './handler.mjs';

const event = JSON.parse(process.argv[2] ?? '{}');
try {
  const answer = await handler(event);
  console.log(JSON.stringify({ statusCode: answer.statusCode, body: JSON.parse(answer.body) }, null, 2));
  process.exitCode = answer.statusCode === 200 ? 0 : 1;
} finally {
  await close();
}
