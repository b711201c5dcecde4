// Publishes sample orders to the Redis stream the streaming pipeline reads, with no
// dependency: Redis's protocol (RESP) spoken over a socket.
//
//   node scripts/publish-orders.mjs [count] [--rate N] [--stream KEY] [--url redis://HOST:PORT]
//
// Order ids start at 100001, above the history's, and each run continues from the
// stream's length, so running it again publishes new orders.
import net from 'node:net';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : args[at + 1];
};
const count = Number(args.find((a, i) => /^\d+$/.test(a) && !args[i - 1]?.startsWith('--')) ?? 1000);
const rate = Number(option('rate', 0));
const stream = option('stream', 'sluice_example_orders');
const url = new URL(option('url', process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'));
if (!Number.isInteger(count) || count <= 0) throw new Error(`count must be a positive whole number, got ${count}`);

const products = [['espresso', 2.5], ['latte', 3.8], ['croissant', 2.2], ['bagel', 2.9], ['tea', 2.1]];
const customers = ['ana', 'bo', 'chloe', 'dev', 'eli'];

const socket = net.connect(Number(url.port || 6379), url.hostname);
await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
let buffered = '';
const waiting = [];
socket.on('data', (chunk) => {
  buffered += chunk.toString();
  // Every reply asked for here is one line: an integer, a bulk id or an error.
  for (let end = findReplyEnd(buffered); end !== -1; end = findReplyEnd(buffered)) {
    const reply = buffered.slice(0, end);
    buffered = buffered.slice(end);
    const { resolve, reject } = waiting.shift();
    if (reply.startsWith('-')) reject(new Error(`redis: ${reply.slice(1).trim()}`));
    else resolve(reply);
  }
});
function findReplyEnd(text) {
  const line = text.indexOf('\r\n');
  if (line === -1) return -1;
  if (text[0] !== '$') return line + 2;
  const size = Number(text.slice(1, line));
  if (size < 0) return line + 2;
  return text.length >= line + 2 + size + 2 ? line + 2 + size + 2 : -1;
}
function command(...parts) {
  const body = parts.map((p) => `$${Buffer.byteLength(String(p))}\r\n${p}\r\n`).join('');
  socket.write(`*${parts.length}\r\n${body}`);
  return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
}

const already = Number((await command('XLEN', stream)).slice(1));
const started = Date.now();
for (let i = 0; i < count; i++) {
  const n = already + i;
  const [product, unitPrice] = products[n % products.length];
  const order = { order_id: 100001 + n, customer: customers[n % customers.length], product, quantity: 1 + (n % 3), unit_price: unitPrice, currency: 'eur', placed_at: new Date().toISOString() };
  const sent = command('XADD', stream, '*', 'data', JSON.stringify(order));
  if (rate > 0) {
    await sent;
    const due = started + ((i + 1) / rate) * 1000;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
  } else if (i % 500 === 499) await sent;
}
await command('PING');
socket.end();
console.log(`published ${count} orders to ${stream} (order ids ${100001 + already} to ${100000 + already + count})`);
