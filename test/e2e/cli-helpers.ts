import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const bin = path.join(repoRoot, 'bin', 'sluice.js');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `sluice` command in `cwd`, as a user would. */
export function sluice(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd, env: { ...process.env, CI: '1', NO_COLOR: '1', ...env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        // A crash (a signal) is never mistaken for a failed command's exit code 1.
        const signal = error?.signal ? os.constants.signals[error.signal] : undefined;
        const code = signal !== undefined ? 128 + signal : error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr: error?.signal ? `${stderr}\n[sluice was killed by ${error.signal}]` : stderr });
      },
    );
  });
}

/** Runs `sluice` like sluice(), and also resolves `seen` once its output matches `pattern`. */
export function sluiceUntil(cwd: string, args: readonly string[], pattern: RegExp): { seen: Promise<void>; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, CI: '1', NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  let markSeen: () => void = () => {};
  const seen = new Promise<void>((resolve) => (markSeen = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (pattern.test(stdout)) markSeen();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code: code ?? 128 + (signal ? os.constants.signals[signal] : 0), stdout, stderr })));
  return { seen: Promise.race([seen, done.then(() => {})]), done };
}

export function tempDir(prefix = 'sluice-e2e-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Reads the project's embedded warehouse directly, as a user's tool would. */
export async function queryWarehouse(file: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  try {
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(sql);
    const rows = reader.getRowObjectsJS() as Record<string, unknown>[];
    connection.closeSync();
    return rows;
  } finally {
    instance.closeSync();
  }
}

/** A `sluice scheduler` process, as an operator would start it; its output is kept for assertions. */
export function startScheduler(cwd: string, args: string[] = []): { child: ChildProcess; output: () => string } {
  let text = '';
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/sluice.js'), 'scheduler', '--poll', '100', '--lease', '2500', ...args], {
    cwd,
    env: { ...process.env, CI: '1', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  return { child, output: () => text };
}

export async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}


/** Writes a project's files (relative path -> content) into `dir`. */
export function writeProject(dir: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
}

/** A block that logs it waits, then waits for `go.flag`, which a test writes once it has seen that line: for log lines shown live. */
export const chattyProject: Readonly<Record<string, string>> = {
  'pipelines/chatty.yaml': 'blocks:\n  - { name: chatty, file: blocks/chatty.ts, timeout: 60s }\n',
  'blocks/chatty.ts': [
    "import { existsSync } from 'node:fs';",
    'export default async () => {',
    "  console.log('waiting for go.flag');",
    "  while (!existsSync('go.flag')) await new Promise((resolve) => setTimeout(resolve, 50));",
    "  console.log('saw go.flag');",
    '  return [{ ok: 1 }];',
    '};',
    '',
  ].join('\n'),
};
