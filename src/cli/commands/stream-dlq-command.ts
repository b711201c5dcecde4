import { loadProject } from '../../core/project/load-project.ts';
import { createLogger } from '../../core/run/logger.ts';
import { DeadLetterQueue, loadStreamingPipeline, type DeadLetterEntry, type DeadLetterSelection } from '../../streaming/index.ts';
import { createEngine } from '../../engine/create-engine.ts';
import { dim, formatTable, green, red, type Output } from '../output.ts';
import { UsageError } from '../usage-error.ts';

interface SelectionOptions {
  id?: string;
  all?: boolean;
}

/** `sluice stream dlq list NAME`: the pipeline's dead letters, oldest first. */
export async function streamDlqListCommand(name: string, options: { limit?: string; json?: boolean }, out: Output): Promise<number> {
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit <= 0)) throw new UsageError(`--limit takes a positive whole number; got '${options.limit}'`);
  const letters = await withQueue(name, out, (queue) => queue.list(limit));
  if (options.json) {
    out.line(JSON.stringify(letters, null, 2));
    return 0;
  }
  if (!letters.length) {
    out.line(dim(`no dead letters for ${name}`));
    return 0;
  }
  out.line(formatTable(['id', 'deliveries', 'failed at', 'reason', 'payload'], letters.map((l) => [l.messageId, String(l.deliveries), l.failedAt, clip(l.reason, 60), clip(shownPayload(l), 60)])));
  return 0;
}

/** `sluice stream dlq replay NAME --id ID | --all`: publishes dead letters again into the source's broker. */
export async function streamDlqReplayCommand(name: string, options: SelectionOptions, out: Output): Promise<number> {
  const selection = parseSelection(options);
  const result = await withQueue(name, out, (queue) => queue.replay(selection));
  out.line(`${green('replayed')} ${result.replayed} dead letter${result.replayed === 1 ? '' : 's'} of ${name} into the source; they were removed from the dead-letter table`);
  if (result.error) {
    out.error(`${red('replay stopped')}: ${result.error.message}`);
    out.error(dim('the letters not replayed stay in the dead-letter table; run the replay again once the broker is reachable'));
    return 1;
  }
  return 0;
}

/** `sluice stream dlq drop NAME --id ID | --all`: removes dead letters without replaying them. */
export async function streamDlqDropCommand(name: string, options: SelectionOptions, out: Output): Promise<number> {
  const selection = parseSelection(options);
  const dropped = await withQueue(name, out, (queue) => queue.drop(selection));
  out.line(`dropped ${dropped} dead letter${dropped === 1 ? '' : 's'} of ${name}`);
  return 0;
}

function parseSelection(options: SelectionOptions): DeadLetterSelection {
  if ((options.id === undefined) === !options.all) throw new UsageError('give exactly one of --id ID or --all');
  return options.id === undefined ? 'all' : { id: options.id };
}

async function withQueue<T>(name: string, out: Output, work: (queue: DeadLetterQueue) => Promise<T>): Promise<T> {
  const project = loadProject(process.cwd());
  const pipeline = loadStreamingPipeline(project.root, name);
  const engine = await createEngine(project);
  const session = await (await engine.dataPlane()).openSession();
  const logger = createLogger((level, message) => {
    if (level === 'warn' || level === 'error') out.error(`${level} ${message}`);
  });
  try {
    const queue = await DeadLetterQueue.open(project, engine.connectors, pipeline, session, logger);
    try {
      return await work(queue);
    } finally {
      await queue.close();
    }
  } finally {
    await session.close();
    await engine.close();
  }
}

function shownPayload(letter: DeadLetterEntry): string {
  return letter.payloadEncoding === 'base64' ? `(base64) ${letter.payload}` : letter.payload.replace(/\s+/g, ' ');
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
