import { Command, CommanderError, Option } from 'commander';
import { SluiceError } from '../core/errors.ts';
import { mask } from '../core/project/secrets.ts';
import { initCommand, listExamples } from './commands/init-command.ts';
import { createJsonOutput, createOutput, describeError, red, type Output } from './output.ts';

/** Exit codes: 0 success, 1 a pipeline or test failed, 2 usage or configuration error. */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * The `sluice` command line. Returns the exit code. Commands load on use, so
 * `sluice runs` never loads the data plane and `--help` answers at once.
 */
export async function main(argv: readonly string[]): Promise<number> {
  // Every command writes through `out`; --log-format picks what it writes to once the options are read.
  let target: Output = createOutput();
  const out: Output = {
    get tty() {
      return target.tty;
    },
    line: (text, fields) => target.line(text, fields),
    error: (text, fields) => target.error(text, fields),
    status: (text) => target.status(text),
  };
  let code: number = exitCodes.ok;
  const program = new Command('sluice')
    .description('Sluice: data pipelines of TypeScript, SQL and no-code blocks on an embedded DuckDB data plane.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) })
    .addOption(new Option('--log-format <format>', 'text for people, json for log collectors (one JSON object a line)').choices(['text', 'json']).default('text'))
    .hook('preAction', () => {
      if ((program.opts() as { logFormat?: string }).logFormat === 'json') target = createJsonOutput();
    });

  program
    .command('init')
    .description('create a project folder (a git repository with a first commit), empty or from an example')
    .argument('[dir]', 'folder to create (empty, or holding only what npm install wrote)', '.')
    .option('--example <name>', `start from an example (${listExamples().join(', ') || 'sales'})`)
    .action((dir: string, options: { example?: string }) => {
      code = initCommand(dir, options, out);
    });

  program
    .command('run')
    .description('run a pipeline, or one block of it, on the embedded data plane')
    .argument('<pipeline>', 'pipeline name (pipelines/NAME.yaml)')
    .option('--block <block>', 'run only this block, on the latest stored outputs of its upstreams')
    .option('--from <block>', 'run this block and everything downstream of it')
    .option('--var <name=value>', 'set a pipeline variable (repeatable)', collect, [])
    .option('--date <YYYY-MM-DD>', 'the logical date of the run (or an ISO time for intervals shorter than a day)')
    .option('--backfill <START..END>', 'one run per logical date from START to END (YYYY-MM-DD..YYYY-MM-DD); rerun to resume')
    .option('--parallel <n>', 'with --backfill: runs at a time (default 1; with a queue in sluice.yaml, 8, their block runs spread over the workers)')
    .option('--concurrency <n>', "blocks of a run at once (independent blocks run side by side); default: the pipeline's or sluice.yaml's concurrency, else 4")
    .action(async (pipeline: string, options: { block?: string; from?: string; var?: string[]; date?: string; backfill?: string; parallel?: string; concurrency?: string }) => {
      code = await (await import('./commands/run-command.ts')).runCommand(pipeline, options, out);
    });

  program
    .command('preview')
    .description("show the schema, row count and first rows of a block's latest output (says so when its latest run failed)")
    .argument('<pipeline>')
    .argument('<block>')
    .option('--limit <n>', 'rows to show', '10')
    .option('--rejects', 'show the rows a loader rejected instead')
    .action(async (pipeline: string, block: string, options: { limit?: string; rejects?: boolean }) => {
      code = await (await import('./commands/preview-command.ts')).previewCommand(pipeline, block, options, out);
    });

  program
    .command('profile')
    .description("show the profile of a block's latest output: rows, and per column nulls, approximate distinct values, min, max, mean, top values and a histogram")
    .argument('<pipeline>')
    .argument('<block>')
    .option('--json', 'as JSON')
    .action(async (pipeline: string, block: string, options: { json?: boolean }) => {
      code = await (await import('./commands/profile-command.ts')).profileCommand(pipeline, block, options, out);
    });

  program
    .command('validate')
    .description('check every pipeline, block, connection and setting without running anything')
    .action(async () => {
      code = await (await import('./commands/validate-command.ts')).validateCommand(out);
    });

  program
    .command('lineage')
    .description('show where a table comes from and where it goes, across pipelines (upstream and downstream)')
    .argument('[table]', 'CONNECTION.TABLE, a table name or a file path')
    .option('--json', 'print the lineage graph (and the tables the name matches) as JSON')
    .action(async (table: string | undefined, options: { json?: boolean }) => {
      code = await (await import('./commands/lineage-command.ts')).lineageCommand(table, options, out);
    });

  const docs = program.command('docs').description("the project's documentation: pipelines, blocks, tables and lineage as a static site (docs/docs-site.md)");
  docs
    .command('build')
    .description('write the site: plain HTML with a search, readable from the folder with no server')
    .option('--out <dir>', 'where to write it (default .sluice/docs-site)')
    .action(async (options: { out?: string }) => {
      code = await (await import('./commands/docs-command.ts')).docsBuildCommand(options, out);
    });

  const dict = program.command('dict').description('dictionaries the dictionary clean tool maps values to (dictionaries/NAME.yaml)');
  dict
    .command('review')
    .description("list the values the latest runs left undecided against a dictionary, or write decisions into its file")
    .argument('<name>', 'dictionary name (dictionaries/NAME.yaml)')
    .option('--accept <value=canonical>', 'map VALUE to the canonical value CANONICAL from now on (repeatable)', collect, [])
    .option('--reject <value>', 'VALUE stands for no value of the dictionary: flag it without review from now on (repeatable)', collect, [])
    .option('--json', 'print the pending values as JSON')
    .action(async (name: string, options: { accept: string[]; reject: string[]; json?: boolean }) => {
      code = await (await import('./commands/dict-command.ts')).dictReviewCommand(name, options, out);
    });

  program
    .command('audit')
    .description('who changed what and when (file edits, runs, connections, triggers, git, review decisions), newest first')
    .option('--actor <actor>', 'only this actor: user:<name>, key:<name>, cli:<os user> (token or session:<tag> before users)')
    .option('--action <action>', 'only this action (run.start) or area (run)')
    .option('--target <target>', 'only targets starting with this (a file path, pipeline/ for its runs, a connection)')
    .option('--since <time>', 'only entries at or after this date or ISO time')
    .option('--until <time>', 'only entries before this date or ISO time')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'as JSON, with every detail (diffs, settings)')
    .action(async (options: { actor?: string; action?: string; target?: string; since?: string; until?: string; limit?: string; json?: boolean }) => {
      code = await (await import('./commands/audit-command.ts')).auditCommand(options, out);
    });

  const users = program.command('users').description('who may sign in, and with which role: viewer < operator < editor < admin (docs/security.md)');
  users
    .command('add')
    .description('add a user (the first user retires the project token)')
    .argument('<name>', 'a user name')
    .requiredOption('--role <role>', 'viewer, operator, editor or admin')
    .option('--password-stdin', 'read the password from standard input')
    .option('--email <email>', 'their email address')
    .action(async (name: string, options: { role: string; passwordStdin?: boolean; email?: string }) => {
      code = await (await import('./commands/users-command.ts')).usersAddCommand(name, options, out);
    });
  users
    .command('list')
    .description('the users, their roles and whether they have a password and an API key')
    .option('--json', 'as JSON')
    .action(async (options: { json?: boolean }) => {
      code = await (await import('./commands/users-command.ts')).usersListCommand(options, out);
    });
  users
    .command('set-role')
    .description("change a user's role (it applies to their next request)")
    .argument('<name>', 'a user')
    .argument('<role>', 'viewer, operator, editor or admin')
    .action(async (name: string, role: string) => {
      code = await (await import('./commands/users-command.ts')).usersSetRoleCommand(name, role, out);
    });
  users
    .command('set-password')
    .description("set a user's password (ends their sessions)")
    .argument('<name>', 'a user')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (name: string, options: { passwordStdin?: boolean }) => {
      code = await (await import('./commands/users-command.ts')).usersSetPasswordCommand(name, options, out);
    });
  users
    .command('remove')
    .description('remove a user, their sessions and their API key')
    .argument('<name>', 'a user')
    .action(async (name: string) => {
      code = await (await import('./commands/users-command.ts')).usersRemoveCommand(name, out);
    });
  users
    .command('key')
    .description("issue a user's API key, shown once (it replaces their old one), or revoke it")
    .argument('<name>', 'a user')
    .option('--revoke', 'revoke the key instead')
    .action(async (name: string, options: { revoke?: boolean }) => {
      code = await (await import('./commands/users-command.ts')).usersKeyCommand(name, options, out);
    });

  program
    .command('serve')
    .description('serve the web UI and its JSON API, and run the scheduler')
    .option('--host <host>', 'address to listen on; beyond loopback it needs SLUICE_API_TOKEN', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '6789')
    .option('--no-scheduler', 'serve the API only')
    .option('--lease <ms>', 'how long the scheduler or a run holds its lease without renewing it', '10000')
    .option('--concurrency <n>', 'runs executed at once; the rest wait their turn', '4')
    .action(async (options: { host?: string; port?: string; scheduler?: boolean; lease?: string; concurrency?: string }) => {
      code = await (await import('./commands/serve-command.ts')).serveCommand(options, out);
    });

  program
    .command('retry')
    .description('run again the blocks a failed or lost run did not finish, reusing the outputs of those it did')
    .argument('<run>', 'the failed or lost run (from sluice runs --status failed)')
    .action(async (run: string) => {
      code = await (await import('./commands/retry-command.ts')).retryCommand(run, out);
    });

  program
    .command('scheduler')
    .description('fire scheduled runs (pipelines with a schedule) until stopped; several may share one run store')
    .option('--poll <ms>', 'how often to look for due runs', '250')
    .option('--lease <ms>', 'how long a scheduler or a run holds its lease without renewing it', '10000')
    .option('--concurrency <n>', 'runs this scheduler executes at once; the rest wait their turn', '4')
    .option('--metrics-port <port>', 'serve Prometheus metrics at /metrics on this port (0 picks a free one)')
    .option('--metrics-host <host>', 'address for /metrics; beyond loopback it needs SLUICE_API_TOKEN or metrics.token', '127.0.0.1')
    .action(async (options: { poll?: string; lease?: string; concurrency?: string; metricsHost?: string; metricsPort?: string }) => {
      code = await (await import('./commands/scheduler-command.ts')).schedulerCommand(options, out);
    });

  program
    .command('worker')
    .description("run block runs from the project's queue (sluice.yaml queue:) until stopped; SIGTERM finishes the block runs it holds and takes nothing new")
    .option('--concurrency <n>', 'block runs this worker runs at once', '2')
    .option('--lease <ms>', 'how long a claim on a block run holds without renewal; another worker takes it over after that', '30000')
    .option('--drain', 'exit once the queue is empty and the block runs this worker holds have ended')
    .action(async (options: { concurrency?: string; lease?: string; drain?: boolean }) => {
      code = await (await import('./commands/worker-command.ts')).workerCommand(options, out);
    });

  program
    .command('workers')
    .description('show the workers taking block runs (host, pid, checkout, slots, what each runs, last heartbeat) and the queue depth and wait')
    .option('--json', 'as JSON')
    .option('--drain <id>', 'ask the worker with this id (see --json) to drain: it takes nothing new, finishes what it holds, and stops')
    .action(async (options: { json?: boolean; drain?: string }) => {
      code = await (await import('./commands/workers-command.ts')).workersCommand(options, out);
    });

  program
    .command('test')
    .description("run the pipelines' test blocks, and every block's checks, on the latest stored outputs")
    .argument('[pipelines...]', 'only these pipelines')
    .action(async (pipelines: string[]) => {
      code = await (await import('./commands/test-command.ts')).testCommand(pipelines, out);
    });

  program
    .command('runs')
    .description('list runs, newest first')
    .option('--pipeline <name>', 'only this pipeline')
    .option('--status <status>', 'only runs with this status (succeeded, failed, running, cancelled, queued)')
    .option('--limit <n>', 'how many', '20')
    .action(async (options: { pipeline?: string; status?: string; limit?: string }) => {
      code = await (await import('./commands/history-commands.ts')).runsCommand(options, out);
    });

  program
    .command('logs')
    .description("show a run's blocks, row counts, log lines and errors")
    .argument('<run>', 'run id (from sluice runs)')
    .option('--block <block>', 'only this block')
    .action(async (run: string, options: { block?: string }) => {
      code = await (await import('./commands/history-commands.ts')).logsCommand(run, options, out);
    });

  const state = program.command('state').description("an integration pipeline's committed sync state");
  state
    .command('show')
    .description('show the committed cursor of each stream, read from the destination')
    .argument('<pipeline>', 'an integration pipeline')
    .option('--stream <stream>', 'only this stream')
    .option('--json', 'as JSON')
    .action(async (pipeline: string, options: { stream?: string; json?: boolean }) => {
      code = await (await import('./commands/state-command.ts')).stateShowCommand(pipeline, options, out);
    });
  state
    .command('reset')
    .description('forget the state of the streams (or one): the next run starts from the beginning')
    .argument('<pipeline>', 'an integration pipeline')
    .option('--stream <stream>', 'only this stream')
    .action(async (pipeline: string, options: { stream?: string }) => {
      code = await (await import('./commands/state-command.ts')).stateResetCommand(pipeline, options, out);
    });

  program
    .command('schema')
    .description("an integration pipeline's schema changes")
    .command('history')
    .description('list the schema changes its syncs made or refused, oldest first')
    .argument('<pipeline>', 'an integration pipeline')
    .option('--stream <stream>', 'only this stream')
    .option('--json', 'as JSON')
    .action(async (pipeline: string, options: { stream?: string; json?: boolean }) => {
      code = await (await import('./commands/schema-command.ts')).schemaHistoryCommand(pipeline, options, out);
    });

  const cdc = program.command('cdc').description("change data capture: an integration pipeline's replication slot on its PostgreSQL source");
  cdc
    .command('status')
    .description("show the slot's lag (WAL it holds on the source) and the position applied in the destination")
    .argument('<pipeline>', 'an integration pipeline with mode cdc streams')
    .option('--json', 'as JSON')
    .action(async (pipeline: string, options: { json?: boolean }) => {
      code = await (await import('./commands/cdc-command.ts')).cdcStatusCommand(pipeline, options, out);
    });
  cdc
    .command('drop')
    .description('remove the slot and publication from the source; the next run starts with a new snapshot')
    .argument('<pipeline>', 'an integration pipeline with mode cdc streams')
    .action(async (pipeline: string) => {
      code = await (await import('./commands/cdc-command.ts')).cdcDropCommand(pipeline, out);
    });

  const stream = program.command('stream').description('streaming pipelines (kind: streaming): from a broker into tables, each message committed once');
  stream
    .command('run')
    .description('run a streaming pipeline in the foreground; Ctrl-C commits the batch in hand and stops')
    .argument('<pipeline>', 'a pipeline with kind: streaming')
    .addHelpText('after', '\nRows and the message ids they came from commit in one transaction; the broker is acknowledged after.\nA message that fails to parse, validate or transform is retried, then dead-lettered on its max_deliver-th delivery.')
    .action(async (pipeline: string) => {
      code = await (await import('./commands/stream-command.ts')).streamRunCommand(pipeline, out);
    });
  stream
    .command('status')
    .description("each streaming pipeline's state, rows/s, latency p50/p95/p99, broker lag, dead letters and restarts")
    .option('--json', 'as JSON')
    .action(async (options: { json?: boolean }) => {
      code = await (await import('./commands/stream-command.ts')).streamStatusCommand(options, out);
    });
  const dlq = stream
    .command('dlq')
    .description("a streaming pipeline's dead letters: messages that failed to parse, validate or transform")
    .addHelpText('after', '\nFix what made them fail (often a transformer), then replay them: each is published again into the\npipeline\'s source and removed from the dead-letter table only once the broker accepted it.');
  dlq
    .command('list')
    .description('list the dead letters of a streaming pipeline, oldest first: id, deliveries, reason and payload')
    .argument('<pipeline>', 'a pipeline with kind: streaming')
    .option('--limit <n>', 'at most this many')
    .option('--json', 'as JSON, with whole payloads')
    .action(async (pipeline: string, options: { limit?: string; json?: boolean }) => {
      code = await (await import('./commands/stream-dlq-command.ts')).streamDlqListCommand(pipeline, options, out);
    });
  const dlqActions = {
    replay: "publish dead letters again into the pipeline's source (JetStream subject, Redis stream, RabbitMQ queue, MQTT topic), removing each once the broker accepted it",
    drop: 'remove dead letters without replaying them',
  } as const;
  for (const [action, description] of Object.entries(dlqActions) as [keyof typeof dlqActions, string][]) {
    dlq
      .command(action)
      .description(description)
      .argument('<pipeline>', 'a pipeline with kind: streaming')
      .option('--id <id>', 'the dead letter with this message id')
      .option('--all', 'every dead letter of the pipeline')
      .action(async (pipeline: string, options: { id?: string; all?: boolean }) => {
        const commands = await import('./commands/stream-dlq-command.ts');
        code = await (action === 'replay' ? commands.streamDlqReplayCommand : commands.streamDlqDropCommand)(pipeline, options, out);
      });
  }

  const map = program.command('map').description("field mapping: how one table's columns map onto another's");
  map
    .command('suggest')
    .description("suggest how SOURCE's columns map onto TARGET's, each with a confidence and a reason; --write makes the accepted mapping a SQL block")
    .argument('<source>', 'PIPELINE.BLOCK (its latest output), CONNECTION.TABLE, or a .csv/.parquet/.json file in the project')
    .argument('<target>', 'the same kinds: the table whose columns to map onto')
    .option('--threshold <score>', 'below this confidence (0 to 1) a column gets no match rather than a guess', '0.5')
    .option('--many', 'let several source columns map onto one target column')
    .option('--set <source=target>', 'map this source column onto this target column instead (repeatable)', collect, [])
    .option('--reject <source>', 'drop the suggestion for this source column (repeatable)', collect, [])
    .option('--write [file]', 'write the accepted mapping as a SQL block (default blocks/map_<source>.sql) and add it to the pipeline')
    .option('--pipeline <name>', "with --write: the pipeline to add the block to (default: the source block's)")
    .option('--json', 'print the suggestions as JSON')
    .addHelpText('after', '\nSignals: names (camelCase, snake_case and UPPER split; abbreviations such as CUST, AMT, DT, QTY expanded;\nsynonyms), type compatibility, the format of sample values (emails, phones, dates, ISO codes, postal codes,\namounts) and sample values in common. Each target column is used once unless --many. See docs/field-mapping.md.')
    .action(async (source: string, target: string, options: { threshold?: string; many?: boolean; set?: string[]; reject?: string[]; write?: string | boolean; pipeline?: string; json?: boolean }) => {
      code = await (await import('./commands/map-command.ts')).mapSuggestCommand(source, target, options, out);
      });

  program
    .command('drift')
    .description("list drift found in block outputs (new, dropped or retyped columns, changed value formats, text in numbers, jumps in null rates), newest first")
    .argument('[pipeline]', 'only this pipeline')
    .option('--run <run>', 'only this run')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'as JSON')
    .action(async (pipeline: string | undefined, options: { run?: string; limit?: string; json?: boolean }) => {
      code = await (await import('./commands/drift-command.ts')).driftCommand(pipeline, options, out);
    });

  const metrics = program.command('metrics').description("a block's metric history: row count, null rates and the sums of its metrics columns, with anomalies");
  metrics
    .command('show')
    .description('show the recent values of each metric of a block, flagging anomalies')
    .argument('<pipeline>', 'pipeline name')
    .argument('<block>', 'block name')
    .option('--metric <metric>', 'only this metric, e.g. rows or sum:amount')
    .option('--limit <n>', 'values of each metric', '14')
    .action(async (pipeline: string, block: string, options: { metric?: string; limit?: string }) => {
      code = await (await import('./commands/metrics-command.ts')).metricsShowCommand(pipeline, block, options, out);
    });
  metrics
    .command('mark-expected')
    .description('mark a flagged value as expected: the detector takes it as the new level')
    .argument('<run>', 'run id (from sluice runs or the anomaly alert)')
    .argument('<block>', 'block name')
    .argument('<metric>', 'metric name as the alert gives it, e.g. sum:amount')
    .action(async (run: string, block: string, metric: string) => {
      code = await (await import('./commands/metrics-command.ts')).markExpectedCommand(run, block, metric, out);
    });

  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return exitCodes.ok;
      return exitCodes.usage;
    }
    if (error instanceof SluiceError) {
      out.error(`${red('error:')} ${describeError(error, process.cwd())}`);
      return error.kind === 'run' ? exitCodes.failed : exitCodes.usage;
    }
    out.error(`${red('internal error:')} ${mask(error instanceof Error ? (error.stack ?? error.message) : String(error))}`);
    return exitCodes.failed;
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
