import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '../../src/testing/wait-for.ts';
import { repoRoot, stop, tempDir, writeProject } from './cli-helpers.ts';

/** A `sluice serve` process over a fresh project folder, driven over real HTTP. */
export interface ServedProject {
  readonly dir: string;
  readonly base: string;
  readonly token: string;
  output(): string;
  /** A request with the bearer token (or `auth`: '' for none, another string for a wrong one). */
  api(route: string, init?: RequestInit & { auth?: string }): Promise<Response>;
  json<T = Record<string, unknown>>(route: string, init?: RequestInit & { auth?: string }): Promise<{ status: number; body: T }>;
  /** Waits until a run has finished and returns it; fails naming the run when it does not finish in time. */
  waitForRun(runId: string, timeoutMs?: number): Promise<{ status: string; [key: string]: unknown }>;
  close(): Promise<void>;
}

export async function serveProject(
  files: Record<string, string>,
  options: { git?: boolean; args?: string[]; env?: NodeJS.ProcessEnv; scheduler?: boolean } = {},
): Promise<ServedProject> {
  const { dir, cleanup } = tempDir('sluice-api-');
  writeProject(dir, { 'sluice.yaml': 'name: api_test\n', '.gitignore': '.sluice/\n', ...files });
  if (options.git) {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
    git('init', '--quiet', '--initial-branch=main');
    git('-c', 'user.name=Tester', '-c', 'user.email=tester@example.com', 'add', '--all');
    git('-c', 'user.name=Tester', '-c', 'user.email=tester@example.com', 'commit', '--quiet', '-m', 'start');
  }
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '1', NO_COLOR: '1', ...options.env };
  delete env.SLUICE_API_TOKEN;
  let text = '';
  const child: ChildProcess = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), 'serve', '--port', '0', ...(options.scheduler ? [] : ['--no-scheduler']), '--lease', '900', ...(options.args ?? [])], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const base = await waitFor(() => /API on (http:\/\/\S+)/.exec(text)?.[1], { what: 'the server to start', giveUpWhen: () => (child.exitCode !== null ? text : undefined) });
  const token = readFileSync(path.join(dir, '.sluice/api-token'), 'utf8').trim();

  const api = (route: string, init: RequestInit & { auth?: string } = {}) => {
    const { auth = token, headers, ...rest } = init;
    return fetch(`${base}${route}`, {
      ...rest,
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...(headers as Record<string, string> | undefined) },
    });
  };
  const json = async <T>(route: string, init?: RequestInit & { auth?: string }) => {
    const response = await api(route, init);
    const type = response.headers.get('content-type') ?? '';
    assert.match(type, /^application\/json/, `${route} answers JSON`);
    return { status: response.status, body: (await response.json()) as T };
  };
  return {
    dir,
    base,
    token,
    output: () => text,
    api,
    json,
    waitForRun(runId, timeoutMs) {
      return waitFor(
        async () => {
          const { body } = await json<{ run: { status: string; [key: string]: unknown } }>(`/api/runs/${runId}`);
          return !['queued', 'running'].includes(body.run.status) && body.run;
        },
        { what: `run ${runId} to finish`, timeout: timeoutMs },
      );
    },
    async close() {
      await stop(child);
      cleanup();
    },
  };
}
