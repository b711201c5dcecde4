import type { Block } from '../core/pipeline/pipeline.ts';
import type { RunReporter } from '../core/run/run-pipeline.ts';
import { bold, dim, formatCount, formatDuration, green, red, yellow, type Output } from './output.ts';

/**
 * What `sluice run` prints as a run goes. Blocks run side by side, so each
 * block's line says when it started and when it finished, with its own time;
 * on a terminal one status line lists every block running now.
 */
export function progressReporter(out: Output): RunReporter & { stop(): void } {
  const running = new Map<string, { block: Block; started: number }>();
  let ticker: NodeJS.Timeout | undefined;
  const width = { name: 12 };
  // Lines name their run and block, for JSON log lines (--log-format json).
  let run: string | undefined;
  const showRunning = (): void => {
    const now = Date.now();
    const parts = [...running.values()].map(({ block, started }) => `${block.name} ${dim(formatDuration(now - started))}`);
    if (parts.length) out.status(`  … ${parts.join(', ')}`);
  };
  const stop = (): void => {
    if (ticker) clearInterval(ticker);
    ticker = undefined;
  };
  return {
    stop,
    runStarted({ id, pipeline, blocks }) {
      run = id;
      width.name = Math.max(12, ...blocks.map((b) => b.name.length));
      out.line(`${bold(pipeline)} ${dim(`run ${id}`)}: ${blocks.length} block${blocks.length === 1 ? '' : 's'}`, { run });
    },
    blockStarted(block) {
      running.set(block.name, { block, started: Date.now() });
      if (!out.tty) {
        out.line(`  … ${block.name} (${block.role})`, { run, block: block.name });
        return;
      }
      ticker ??= setInterval(showRunning, 200);
      showRunning();
    },
    blockFinished(record) {
      const current = running.get(record.block);
      running.delete(record.block);
      if (!running.size) stop();
      const took = current ? formatDuration(Date.now() - current.started) : '';
      const role = current?.block.role ?? '';
      const mark = record.status === 'succeeded' ? green('✓') : record.status === 'failed' ? red('✗') : yellow('-');
      const rejected = record.rowsRejected ? `, ${formatCount(record.rowsRejected)} rejected` : '';
      const rows = record.status === 'succeeded' ? `${formatCount(record.rowsIn)} in → ${formatCount(record.rowsOut)} out${rejected}` : record.status;
      out.line(`  ${mark} ${record.block.padEnd(width.name)} ${dim(role.padEnd(11))} ${rows.padEnd(28)} ${took.padStart(7)}${record.summary ? `  ${dim(record.summary)}` : ''}`, {
        run,
        block: record.block,
        level: record.status === 'failed' ? 'error' : 'info',
      });
      if (running.size && out.tty) showRunning();
    },
    log(block, level, message) {
      if (level === 'debug') return;
      const tag = level === 'error' ? red(level) : level === 'warn' ? yellow(level) : dim(level);
      if (level !== 'error') out.line(`    ${tag} ${block ?? ''}: ${message}`, { run, block, level });
    },
  };
}
