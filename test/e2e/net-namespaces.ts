import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * Machines for tests, on one box: each host is a network namespace of its own
 * (`ip netns`), joined to this one by a veth pair on a /30 of its own. A host
 * sees nothing of this namespace's loopback, where PostgreSQL and Redis
 * listen; it reaches them only through forwarders that this process runs on
 * the host's link address, which count the connections each host makes.
 */
export interface TestHost {
  /** The namespace's name, also the host name its processes see. */
  readonly name: string;
  /** This namespace's end of the link: the host reaches the services here. */
  readonly gateway: string;
  /** The host's own address. */
  readonly address: string;
  /** The command that runs a program on the host, under its own host name: prepend it to the program and its arguments. */
  readonly exec: readonly string[];
  /**
   * As `exec`, with each of `folders` covered, for the program only, by an
   * empty folder of its own (a mount namespace with a tmpfs on each): what the
   * host finds or writes at those paths is on no other host's disk, as on
   * another machine.
   */
  execWithout(folders: readonly string[]): readonly string[];
  /** `url` (a service on this namespace's loopback) as the host reaches it, through its forwarder. */
  reach(url: string): string;
  /** Connections the host made to each forwarded service, by the service's URL. */
  connections(url: string): number;
}

export interface TestHosts {
  readonly hosts: readonly TestHost[];
  /** Stops the forwarders and removes the namespaces (their veth pairs go with them); safe to call twice. */
  cleanup(): Promise<void>;
}

/** `text` as one word for sh. */
const shellQuote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The third octet of a 10.200.X.0/24 no interface of this machine uses yet, so tests running at once do not collide. */
function freeSubnets(count: number): number[] {
  const used = new Set([...ip('-4', '-o', 'addr', 'show').matchAll(/inet 10\.200\.(\d+)\./g)].map((m) => Number(m[1])));
  const start = 1 + (randomBytes(1)[0]! % 200);
  const free: number[] = [];
  for (let i = 0; free.length < count && i < 254; i++) {
    const octet = 1 + ((start + i) % 254);
    if (!used.has(octet)) free.push(octet);
  }
  if (free.length < count) throw new Error('no free 10.200.X.0/24 subnet for the test hosts');
  return free;
}

/** Pipes every connection to `listenHost:port` on to the service at `url`, counting them. */
async function forward(listenHost: string, url: string, defaultPort: number): Promise<{ server: Server; port: number; count(): number }> {
  const target = new URL(url);
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer((inbound) => {
    count++;
    const outbound = connect({ host: target.hostname, port: Number(target.port || defaultPort) });
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      // A host killed mid-connection resets it: end the other side, never the test process.
      socket.on('error', () => (socket === inbound ? outbound : inbound).destroy());
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, listenHost, resolve));
  const close = server.close.bind(server);
  server.close = (callback) => {
    for (const socket of sockets) socket.destroy();
    return close(callback);
  };
  return { server, port: (server.address() as { port: number }).port, count: () => count };
}

/**
 * Creates `count` hosts that reach each of `services` (URLs on this
 * namespace's loopback, e.g. PostgreSQL's and Redis's) through a forwarder.
 * Needs root; see the `network-namespaces` prerequisite.
 */
export async function createTestHosts(count: number, services: readonly { url: string; defaultPort: number }[]): Promise<TestHosts> {
  const suffix = randomBytes(3).toString('hex');
  const made: string[] = [];
  const forwarders: Server[] = [];
  const cleanup = async (): Promise<void> => {
    await Promise.all(forwarders.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    for (const name of made.splice(0)) {
      try {
        ip('netns', 'delete', name);
      } catch {
        // Already gone.
      }
    }
  };
  try {
    const hosts: TestHost[] = [];
    for (const [i, octet] of freeSubnets(count).entries()) {
      const name = `sluice-${suffix}-${i}`;
      const outside = `sv${suffix}${i}a`;
      const inside = `sv${suffix}${i}b`;
      const gateway = `10.200.${octet}.1`;
      const address = `10.200.${octet}.2`;
      ip('netns', 'add', name);
      made.push(name);
      ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
      ip('link', 'set', inside, 'netns', name);
      ip('addr', 'add', `${gateway}/30`, 'dev', outside);
      ip('link', 'set', outside, 'up');
      ip('netns', 'exec', name, 'ip', 'addr', 'add', `${address}/30`, 'dev', inside);
      ip('netns', 'exec', name, 'ip', 'link', 'set', inside, 'up');
      ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
      const reached = new Map<string, { port: number; count(): number }>();
      for (const service of services) {
        const forwarder = await forward(gateway, service.url, service.defaultPort);
        forwarders.push(forwarder.server);
        reached.set(service.url, forwarder);
      }
      const via = (url: string): { port: number; count(): number } => {
        const forwarder = reached.get(url);
        if (!forwarder) throw new Error(`${url} is not forwarded to the test hosts`);
        return forwarder;
      };
      hosts.push({
        name,
        gateway,
        address,
        // Its own UTS namespace too, so its processes (and `sluice workers`) name the host.
        exec: ['ip', 'netns', 'exec', name, 'unshare', '--uts', 'sh', '-c', 'hostname "$0" && exec "$@"', name],
        execWithout: (folders) => [
          ...['ip', 'netns', 'exec', name, 'unshare', '--uts', '--mount', '--propagation', 'private', 'sh', '-c'],
          ['hostname "$0"', ...folders.map((folder) => `mount -t tmpfs -o size=16m elsewhere ${shellQuote(folder)}`), 'exec "$@"'].join(' && '),
          name,
        ],
        reach(url) {
          const moved = new URL(url);
          moved.hostname = gateway;
          moved.port = String(via(url).port);
          return moved.toString();
        },
        connections: (url) => via(url).count(),
      });
    }
    return { hosts, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
