import { ConfigError } from '../../core/errors.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { createEngine } from '../../engine/create-engine.ts';
import { dim, formatTable, yellow, type Output } from '../output.ts';

/** `sluice workers`: the workers taking block runs, what each holds, and how long the queue is; `--drain ID` drains one. */
export async function workersCommand(options: { json?: boolean; drain?: string }, out: Output): Promise<number> {
  const engine = await createEngine(loadProject(process.cwd()));
  try {
    if (!engine.fleet) throw new ConfigError('workers.no_queue', 'sluice.yaml sets no queue:, so there are no workers: block runs run in the process that runs the run', { location: { file: 'sluice.yaml' } });
    if (options.drain !== undefined) {
      if (!(await engine.fleet.drain(options.drain))) throw new ConfigError('worker.not_found', `no worker '${options.drain}' is listed; see them with: sluice workers`);
      out.line(`asked worker ${options.drain} to drain: within a heartbeat it takes nothing new, finishes what it holds, and stops`);
      return 0;
    }
    const fleet = await engine.fleet.read();
    if (options.json) {
      out.line(JSON.stringify(fleet, null, 2));
      return 0;
    }
    const { workers } = fleet;
    if (!workers.length) out.line('no workers; start one with: sluice worker --concurrency 2');
    else {
      const rows = workers.map((w) => [
        w.host,
        String(w.pid),
        w.version,
        String(w.concurrency),
        w.running.length ? w.running.join(', ') : '-',
        `${w.heartbeatAt.replace('T', ' ').slice(0, 19)}${w.stale ? yellow(' (stale)') : ''}`,
        w.draining ? 'draining' : w.drainRequested ? 'drain asked' : 'taking',
        w.id,
      ]);
      out.line(formatTable(['host', 'pid', 'checkout', 'slots', 'running', 'last heartbeat (UTC)', 'state', 'id (for --drain)'], rows));
    }
    const { queued, running, oldestWaitSeconds } = fleet.queue;
    out.line(dim(`queue: ${queued} waiting, ${running} running${queued ? `; the oldest has waited ${oldestWaitSeconds} s` : ''}`));
    return 0;
  } finally {
    await engine.close();
  }
}
