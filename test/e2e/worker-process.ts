import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './cli-helpers.ts';

/** Where a worker runs when not in this process's machine: the command that runs a program there, and its environment. */
export interface WorkerHost {
  readonly exec: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  /** Resolves when the output matches, rejects if the worker exits first. */
  until(pattern: RegExp, what: string): Promise<void>;
}

/**
 * Starts `sluice worker` in `cwd` and resolves once it takes block runs; on
 * `host`, through its command and with its environment. `started` hears of
 * the child at once, so a caller can stop it even if it never gets ready.
 */
export async function startWorkerProcess(cwd: string, env: NodeJS.ProcessEnv, args: readonly string[] = [], host?: WorkerHost, started?: (child: ChildProcess) => void): Promise<WorkerProcess> {
  let text = '';
  const [command, ...prefix] = [...(host?.exec ?? []), process.execPath];
  const child = spawn(command!, [...prefix, path.join(repoRoot, 'bin/sluice.js'), 'worker', ...args], {
    cwd,
    env: { ...process.env, CI: '1', NO_COLOR: '1', ...env, ...host?.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started?.(child);
  const listeners = new Set<() => void>();
  const append = (d: Buffer): void => {
    text += d.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const until = (pattern: RegExp, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(text)) {
          listeners.delete(check);
          resolve();
        }
      };
      listeners.add(check);
      child.once('exit', (code, signal) => reject(new Error(`worker ${child.pid} exited (${code ?? signal}) before ${what}:\n${text}`)));
      check();
    });
  await until(/takes block runs/, 'it took block runs');
  return { child, pid: child.pid!, output: () => text, until };
}
