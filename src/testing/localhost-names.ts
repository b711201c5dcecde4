import dns from 'node:dns';

/**
 * Resolves every `*.localhost` name to the loopback address in this process,
 * as RFC 6761 asks of resolvers (browsers and systemd-resolved do; glibc's
 * resolver without it does not), so a test can reach a local server under a
 * host name of its own: an object store addressed virtual-host style
 * (`BUCKET.s3.localhost`). Returns the names looked up meanwhile, and a way
 * back to the machine's resolver.
 */
export function resolveLocalhostNames(): { readonly asked: readonly string[]; restore(): void } {
  const original = dns.lookup;
  const asked: string[] = [];
  const lookup = (hostname: string, options: unknown, callback?: unknown): void => {
    const done = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
    const wanted = typeof options === 'object' && options !== null ? (options as dns.LookupOptions) : {};
    if (!/\.localhost\.?$/i.test(hostname)) return void (original as (...args: unknown[]) => void)(hostname, options, callback);
    asked.push(hostname.toLowerCase());
    process.nextTick(() => (wanted.all ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4)));
  };
  dns.lookup = lookup as typeof dns.lookup;
  return {
    asked,
    restore: () => void (dns.lookup = original),
  };
}
