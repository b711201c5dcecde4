import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot, stop, writeProject, type CliResult } from './cli-helpers.ts';
import { pgUrl, type IntegrationWorld } from './integration-fixtures.ts';

/** Rows each load carries: enough that its stream stage can be seen from another session. */
export const cutRows = Number(process.env.SLUICE_CUT_ROWS ?? (process.env.SLUICE_HEAVY === '1' ? 1_000_000 : 200_000));

/** A `sluice` child process and its whole output once it exits. */
export function spawnSluice(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<CliResult>; output: () => string } {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), ...args], {
    cwd,
    env: { ...process.env, CI: '1', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr })));
  return { child, done, output: () => stdout + stderr };
}

/**
 * Cuts every session `find` reports (terminating it from the server side)
 * until `finished` resolves: each attempt of the block meets the same cut.
 * Fails when nothing finishes within the deadline: a hang is a failure too.
 */
export async function cutUntil(
  finished: Promise<unknown>,
  find: () => Promise<readonly (string | number)[]>,
  cut: (session: string | number) => Promise<void>,
  deadlineMs = 90_000,
): Promise<number> {
  let over = false;
  void finished.then(() => (over = true));
  const cutAlready = new Set<string | number>();
  const until = Date.now() + deadlineMs;
  while (!over) {
    if (Date.now() > until) assert.fail(`the load neither finished nor failed within ${deadlineMs / 1000} s of the connection cut`);
    for (const session of await find()) {
      if (cutAlready.has(session)) continue;
      cutAlready.add(session);
      await cut(session);
    }
    await sleep(5); // a polling interval, not a wait for an outcome
  }
  return cutAlready.size;
}

/** A Node crash leaves its signature on stderr; a handled failure does not. */
export function assertNoCrash(result: CliResult): void {
  assert.doesNotMatch(result.stderr, /Unhandled 'error' event|uncaughtException|node:internal|at process\.processTicksAndRejections/, result.stderr);
}

/** What the run store (PostgreSQL, schema `schema`) recorded for the last run of `pipeline`: its status, the load block's error and the run's log. */
export async function lastRunOutcome(
  query: (sql: string) => Promise<Record<string, unknown>[]>,
  schema: string,
  pipeline: string,
): Promise<{ status: string; blockError: { retryable?: boolean; message?: string } | null; logs: string }> {
  const [run] = await query(`SELECT id, status FROM ${schema}.runs WHERE pipeline = '${pipeline}' ORDER BY seq DESC LIMIT 1`);
  const [block] = await query(`SELECT error FROM ${schema}.block_runs WHERE run_id = '${String(run!.id)}' AND block = 'load'`);
  const logs = await query(`SELECT message FROM ${schema}.logs WHERE run_id = '${String(run!.id)}' ORDER BY seq`);
  return { status: String(run!.status), blockError: (block?.error ?? null) as { retryable?: boolean } | null, logs: logs.map((l) => l.message).join('\n') };
}

/**
 * Under `sluice serve`: runs `pipeline` through the API while cutting every
 * session `find` reports, then checks that the run failed, that the server
 * is still up and answering, and that its next run of the pipeline succeeds.
 */
export async function assertServerSurvivesCut(
  cwd: string,
  pipeline: string,
  find: () => Promise<readonly (string | number)[]>,
  cut: (session: string | number) => Promise<void>,
): Promise<void> {
  const token = 'cut-test-token-0123456789';
  const server = spawnSluice(cwd, ['serve', '--port', '0', '--no-scheduler'], { SLUICE_API_TOKEN: token });
  try {
    const until = Date.now() + 20_000;
    while (!/API on (http:\/\/\S+)/.test(server.output()) && Date.now() < until && server.child.exitCode === null) await sleep(50);
    const url = /API on (http:\/\/\S+)/.exec(server.output())?.[1] ?? assert.fail(`the server did not start:\n${server.output()}`);
    const api = async (route: string, init: RequestInit = {}): Promise<Record<string, unknown>> => {
      const response = await fetch(`${url}/api${route}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
      return (await response.json()) as Record<string, unknown>;
    };
    const trigger = async (): Promise<string> => String((await api(`/pipelines/${pipeline}/runs`, { method: 'POST', body: '{}' })).run_id);
    const status = async (id: string): Promise<string> => ((await api(`/runs/${id}`)).run as { status: string }).status;
    const settled = async (id: string): Promise<string> => {
      const deadline = Date.now() + 90_000;
      let now = await status(id);
      while ((now === 'queued' || now === 'running') && Date.now() < deadline) {
        await sleep(100);
        now = await status(id);
      }
      return now;
    };
    const first = await trigger();
    const cuts = await cutUntil(settled(first), find, cut);
    assert.ok(cuts >= 2, `both attempts were cut (${cuts} cuts):\n${server.output()}`);
    assert.equal(await status(first), 'failed', server.output());
    assert.equal(server.child.exitCode, null, `the server is still up:\n${server.output()}`);
    assert.equal(await settled(await trigger()), 'succeeded', server.output());
    assert.doesNotMatch(server.output(), /Unhandled 'error' event/);
  } finally {
    await stop(server.child, 'SIGKILL');
  }
}

export type CutMode = 'replace' | 'append' | 'upsert' | 'merge';

/** A project whose run store is a PostgreSQL schema of its own (`<world>_runs`), and a block of `cutRows` rows. */
export function writeCutProject(world: IntegrationWorld): void {
  writeProject(world.dir, {
    'sluice.yaml': `name: ${world.name}\nmetadata: { type: postgres, url: "${pgUrl}", schema: ${world.name}_runs }\n`,
    'blocks/rows.sql': `SELECT i AS id, 'row ' || i AS label, (i % 1000)::DECIMAL(12,2) AS amount FROM range(1, ${cutRows + 1}) t(i)\n`,
  });
}

/** A pipeline `name` that writes the rows into table `name` of `connection` with `mode`; its load block retries once. */
export function writeCutPipeline(world: IntegrationWorld, name: string, mode: CutMode, connection: string): void {
  const settings = `{ table: ${name}, mode: ${mode}${mode === 'upsert' || mode === 'merge' ? ', key: [id]' : ''} }`;
  world.pipeline(name, ['blocks:', '  - { name: rows, file: blocks/rows.sql }', `  - { name: load, connection: ${connection}, upstream: [rows], retries: { count: 1, delay: 10ms }, settings: ${settings} }`, ''].join('\n'));
}
