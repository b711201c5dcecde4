import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { mask } from '../core/project/secrets.ts';

/** What some test files need from the machine beyond Node and `npm ci`. */
export type PrerequisiteName = 'postgres' | 'postgres-logical-replication' | 'mariadb' | 'chromium' | 'redis' | 'nats-jetstream' | 'rabbitmq' | 'mqtt' | 'mosquitto' | 'network-namespaces';

/** Why the machine lacks a prerequisite, and the exact command that provides it. */
export interface MissingPrerequisite {
  readonly name: PrerequisiteName;
  readonly why: string;
  readonly command: string;
}

/** The PostgreSQL server the tests use. */
export const testPgUrl = (): string => process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The MariaDB (or MySQL) server the tests use. */
export const testMysqlUrl = (): string => process.env.SLUICE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
/** The Redis server the tests use. */
export const testRedisUrl = (): string => process.env.SLUICE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The NATS server (with JetStream) the tests use. */
export const testNatsUrl = (): string => process.env.SLUICE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
/** The RabbitMQ server the tests use. */
export const testRabbitMqUrl = (): string => process.env.SLUICE_TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/** The MQTT broker the tests use. */
export const testMqttUrl = (): string => process.env.SLUICE_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
/** The Mosquitto binary the tests start brokers of their own with (to kill and restart them). */
export const mosquittoPath = (): string => process.env.SLUICE_TEST_MOSQUITTO ?? '/usr/sbin/mosquitto';
/** The Chromium the browser tests drive: Debian's, unless SLUICE_TEST_CHROMIUM names another. */
export const chromiumPath = (): string => process.env.SLUICE_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Resolves when something accepts a TCP connection at the URL's host and port. */
function reachable(url: string, defaultPort: number): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: hostname, port: Number(port || defaultPort), timeout: 3000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => socket.destroy(new Error('timed out')));
    socket.once('error', reject);
  });
}

const installPostgres = () =>
  `sudo apt-get install -y postgresql && sudo -u postgres createdb test (or set SLUICE_TEST_PG_URL to a server of yours; now ${mask(testPgUrl())})`;

async function withPostgres<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testPgUrl(), connectionTimeoutMillis: 5000 });
  // A server that drops the connection must not crash the test process.
  client.on('error', () => {});
  try {
    await client.connect();
    return await use(client);
  } finally {
    await client.end().catch(() => {});
  }
}

const unreachable = (name: PrerequisiteName, what: string, url: string, error: unknown, command: string): MissingPrerequisite => ({
  name,
  why: `no ${what} answers at ${mask(url)} (${mask(error instanceof Error ? error.message : String(error))})`,
  command,
});

type Check = () => Promise<MissingPrerequisite | undefined>;

/** A check that a server answers on its TCP port. */
const serverCheck = (name: PrerequisiteName, what: string, url: () => string, port: number, command: string): Check => async () => {
  try {
    await reachable(url(), port);
    return undefined;
  } catch (error) {
    return unreachable(name, what, url(), error, command);
  }
};

/** One check per prerequisite; a new prerequisite adds an entry. */
export const prerequisiteChecks = {
  async postgres() {
    try {
      await withPostgres((client) => client.query('SELECT 1'));
      return undefined;
    } catch (error) {
      return unreachable('postgres', 'PostgreSQL server', testPgUrl(), error, installPostgres());
    }
  },
  // Change data capture reads the logical replication stream, which a server
  // started with the default wal_level (replica) does not write.
  async 'postgres-logical-replication'() {
    let settings: { level: string; major: number };
    try {
      settings = await withPostgres(async (client) => ({
        level: String((await client.query('SHOW wal_level')).rows[0]?.wal_level),
        major: Math.floor(Number((await client.query('SHOW server_version_num')).rows[0]?.server_version_num) / 10000),
      }));
    } catch (error) {
      return unreachable('postgres-logical-replication', 'PostgreSQL server', testPgUrl(), error, installPostgres());
    }
    if (settings.level === 'logical') return undefined;
    return {
      name: 'postgres-logical-replication',
      why: `PostgreSQL at ${mask(testPgUrl())} runs with wal_level=${settings.level}, change data capture needs logical`,
      command: `psql '${mask(testPgUrl())}' -c 'ALTER SYSTEM SET wal_level = logical' && sudo pg_ctlcluster ${settings.major} main restart`,
    };
  },
  async mariadb() {
    try {
      const connection = await mysql.createConnection({ uri: testMysqlUrl(), connectTimeout: 5000 });
      connection.on('error', () => {});
      try {
        await connection.query('SELECT 1');
      } finally {
        await connection.end().catch(() => {});
      }
      return undefined;
    } catch (error) {
      return unreachable(
        'mariadb',
        'MariaDB server',
        testMysqlUrl(),
        error,
        `sudo apt-get install -y mariadb-server && sudo mariadb -e "CREATE DATABASE IF NOT EXISTS test; ALTER USER root@localhost IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('')" (or set SLUICE_TEST_MYSQL_URL to a server of yours)`,
      );
    }
  },
  async chromium() {
    const file = chromiumPath();
    try {
      accessSync(file, constants.X_OK);
      return undefined;
    } catch {
      return { name: 'chromium', why: `no Chromium at ${file}`, command: 'sudo apt-get install -y chromium (or set SLUICE_TEST_CHROMIUM to a Chromium binary)' };
    }
  },
  redis: serverCheck('redis', 'Redis server', testRedisUrl, 6379, 'sudo apt-get install -y redis-server (or set SLUICE_TEST_REDIS_URL)'),
  'nats-jetstream': serverCheck('nats-jetstream', 'NATS server', testNatsUrl, 4222, 'run nats-server -js (or set SLUICE_TEST_NATS_URL to a server with JetStream)'),
  rabbitmq: serverCheck('rabbitmq', 'RabbitMQ server', testRabbitMqUrl, 5672, 'sudo apt-get install -y rabbitmq-server (or set SLUICE_TEST_RABBITMQ_URL)'),
  mqtt: serverCheck('mqtt', 'MQTT broker', testMqttUrl, 1883, 'sudo apt-get install -y mosquitto (or set SLUICE_TEST_MQTT_URL)'),
  async mosquitto() {
    const file = mosquittoPath();
    try {
      accessSync(file, constants.X_OK);
      return undefined;
    } catch {
      return { name: 'mosquitto', why: `no Mosquitto binary at ${file}`, command: 'sudo apt-get install -y mosquitto (or set SLUICE_TEST_MOSQUITTO to its binary)' };
    }
  },
  async 'network-namespaces'() {
    // Workers as separate hosts: a namespace of their own, joined to this one by a veth pair (root only).
    const probe = `sluice-probe-${process.pid}`;
    try {
      execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
      execFileSync('ip', ['netns', 'delete', probe], { stdio: 'pipe' });
      // And a mount namespace of their own, so a host's disk is its own too.
      execFileSync('unshare', ['--mount', '--uts', 'true'], { stdio: 'pipe' });
      return undefined;
    } catch (error) {
      const said = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
      return { name: 'network-namespaces', why: `ip netns add or unshare --mount fails (${said}); they need root, iproute2 and util-linux`, command: 'sudo apt-get install -y iproute2 util-linux, and run the tests as root' };
    }
  },
} satisfies Record<PrerequisiteName, Check>;
