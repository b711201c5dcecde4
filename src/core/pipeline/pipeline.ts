import type { ConfigWarning } from '../errors.ts';
import type { RetryPolicy } from '../run/retry-policy.ts';
import type { BlockRole, VariableValue } from './pipeline-schema.ts';
import type { Schedule } from './schedule.ts';
import type { Alert } from './alert-schema.ts';
import type { FileTrigger } from './file-trigger.ts';
import type { StreamTrigger } from './pipeline-schema.ts';
import type { CheckSpec } from '../quality/check-spec.ts';
import type { AnomalySettings } from '../quality/anomaly-settings.ts';
import type { DriftSettings } from '../quality/drift-settings.ts';

/** How a block's logic is written. Adding a language adds a runner for it. */
export type BlockLanguage = 'ts' | 'sql' | 'connector' | 'sync' | 'clean' | 'prepare' | 'dedupe' | 'stream_lag' | 'examples';

interface BlockBase {
  readonly name: string;
  readonly role: BlockRole;
  readonly upstream: readonly string[];
  readonly description?: string | undefined;
  /** Where the block is declared, for error messages. */
  readonly declaredAt: { readonly file: string; readonly line?: number | undefined };
  readonly retries?: RetryPolicy | undefined;
  /** Milliseconds. */
  readonly timeout?: number | undefined;
  /** A sensor's wait between checks, milliseconds. */
  readonly pokeInterval?: number | undefined;
  /** Datasets the block declares it reads (`CONNECTION.TABLE` or a file path), for lineage. */
  readonly reads?: readonly string[] | undefined;
  /** Datasets the block declares it writes, for lineage. */
  readonly writes?: readonly string[] | undefined;
  /** Data checks on the block's output, run once it is stored. */
  readonly checks?: readonly CheckSpec[] | undefined;
  /** Blocks of the pipeline this one waits for without reading them as inputs: the targets of its relationships checks. */
  readonly after?: readonly string[] | undefined;
  /** Output columns marked as personal data (`pii:`); lineage carries the mark downstream. */
  readonly pii?: readonly string[] | undefined;
  /** Output columns whose sums are recorded each run and judged against their history. */
  readonly metrics?: readonly string[] | undefined;
  /** How the block's metrics are judged; absent means the defaults (`warn`). */
  readonly anomalies?: AnomalySettings | undefined;
  /** What drift in the block's output does; absent means the project's `drift:`, else `warn`. */
  readonly drift?: DriftSettings | undefined;
}

export interface TsBlock extends BlockBase {
  readonly language: 'ts';
  /** Absolute path of the block's .ts file. */
  readonly file: string;
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface SqlBlock extends BlockBase {
  readonly language: 'sql';
  readonly file: string;
  /** Run in this connection (ELT) instead of the data plane. */
  readonly connection?: string | undefined;
}

export interface ConnectorBlock extends BlockBase {
  readonly language: 'connector';
  /** Connector kind; for a named connection it comes from the connection's type. */
  readonly connector?: string | undefined;
  /** May hold `{{ variable }}` templates, resolved when the run starts. */
  readonly connection?: string | undefined;
  readonly settings: Readonly<Record<string, unknown>>;
  /** The line of each top-level setting, so a bad setting is reported where it is written. */
  readonly settingLines?: Readonly<Record<string, number>> | undefined;
}

/**
 * One stream of an integration pipeline (`kind: integration`). Its spec is
 * validated when the pipeline loads and read by the integration layer's runner.
 */
export interface SyncBlock extends BlockBase {
  readonly language: 'sync';
  readonly settings: Readonly<Record<string, unknown>>;
}

/** One column of a clean block: the tool that cleans it, its settings as written, and the line they sit on. */
export interface CleanColumn {
  readonly column: string;
  readonly tool: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly line?: number | undefined;
}

/**
 * A no-code clean block: its one upstream's rows with some columns cleaned by
 * named tools. Which tools exist is the runner's business, not the loader's.
 */
export interface CleanBlock extends BlockBase {
  readonly language: 'clean';
  readonly columns: readonly CleanColumn[];
  /** `review` for the block `<name>__review` the loader adds beside a clean block that cleans against a dictionary; absent for the clean block itself. */
  readonly part?: CleanPart | undefined;
  /** The name written in the pipeline file (the review block's name adds `__review`). */
  readonly declaredName?: string | undefined;
}

/**
 * What a block written as `clean:` gives: `clean` is the block itself (the
 * cleaned rows), `review` the block `<name>__review` beside it when a column is
 * cleaned against a dictionary: the values left undecided, one row per column
 * and value, as a table other blocks read. Both read the same upstream.
 */
export type CleanPart = 'clean' | 'review';

/**
 * What a block written as `prepare:` gives: `split` is the block itself (every
 * row, a `split` column saying its side), `train` and `test` the blocks
 * `<name>__train` and `<name>__test` the loader adds beside it, each reading the
 * split block's output and keeping one side, so a downstream block reads a side
 * as it reads any block output.
 */
export type PreparePart = 'split' | 'train' | 'test';

/**
 * A no-code block that splits its one upstream's rows into sides, given as
 * blocks of their own beside it. Its settings are checked by its runner.
 */
interface SplittingBlock<L extends BlockLanguage, P extends string> extends BlockBase {
  readonly language: L;
  readonly part: P;
  /** The name written in the pipeline file (a side's block adds `__<side>`). */
  readonly declaredName: string;
  readonly settings: Readonly<Record<string, unknown>>;
}

/** A no-code prepare block: its one upstream's rows split into train and test, with features scaled and encoded. */
export type PrepareBlock = SplittingBlock<'prepare', PreparePart>;

/**
 * What a block written as `examples:` gives: `examples` is the block itself
 * (every training example with a `split` column, `train` or `validation`),
 * `train` and `validation` the blocks `<name>__train` and `<name>__validation`
 * the loader adds beside it, each keeping one side, for an exporter to write as JSONL.
 */
export type ExamplesPart = 'examples' | 'train' | 'validation';

/**
 * A no-code block preparing examples for fine-tuning a language model: its
 * one upstream's rows shaped as prompt/completion or chat examples, near
 * duplicates dropped, split into train and validation.
 */
export type ExamplesBlock = SplittingBlock<'examples', ExamplesPart>;

/**
 * What a block written as `dedupe:` gives: `clusters` is the block itself (its
 * upstream's rows with a cluster id), `review` the block `<name>__review` the
 * loader adds beside it when the settings name a review threshold (the pairs
 * a person should decide). Both read the same upstream and settings.
 */
export type DedupePart = 'clusters' | 'review';

/**
 * A no-code duplicate-matching block. Its settings are checked by the runner
 * that matches (the toolkit's), not by the loader.
 */
export interface DedupeBlock extends BlockBase {
  readonly language: 'dedupe';
  readonly part: DedupePart;
  /** The name written in the pipeline file (the review part's name adds `__review`). */
  readonly declaredName: string;
  readonly settings: Readonly<Record<string, unknown>>;
  /** The line of each setting under `dedupe:` (and of each compared column, as `columns.NAME`), so a bad setting is reported where it is written. */
  readonly settingLines?: Readonly<Record<string, number>> | undefined;
}

/**
 * A sensor written as `stream_lag:` waits until a streaming pipeline has caught
 * up: its newest metrics sample says it is running, is fresh, and its broker
 * lag is below the bound.
 */
export interface StreamLagBlock extends BlockBase {
  readonly language: 'stream_lag';
  readonly role: 'sensor';
  /** The streaming pipeline waited on. */
  readonly stream: string;
  /** Ready when the lag (messages waiting in the broker) is below this. */
  readonly below: number;
  /** A sample older than this, milliseconds, says nothing about now: the sensor waits for a fresh one. */
  readonly maxAge: number;
}

export type Block = TsBlock | SqlBlock | ConnectorBlock | SyncBlock | CleanBlock | PrepareBlock | DedupeBlock | StreamLagBlock | ExamplesBlock;

export interface Pipeline {
  readonly name: string;
  readonly description?: string | undefined;
  readonly file: string;
  readonly variables: Readonly<Record<string, VariableValue>>;
  /** Blocks in an order where every upstream comes first. */
  readonly blocks: readonly Block[];
  /** Content hash of the pipeline file and its block files. */
  readonly version: string;
  readonly schedule?: Schedule | undefined;
  readonly onFile?: FileTrigger | undefined;
  /** Runs when a streaming pipeline closes a window or commits another N records. */
  readonly onStream?: StreamTrigger | undefined;
  /** Whether API tokens may trigger runs. */
  readonly apiEnabled: boolean;
  readonly retries?: RetryPolicy | undefined;
  /** Default block timeout, milliseconds. */
  readonly timeout?: number | undefined;
  /** Block runs of one run at once; the project's by default. */
  readonly concurrency?: number | undefined;
  readonly alerts: readonly Alert[];
  /** Old spellings the file still uses: it loads, and these say what to rename. */
  readonly warnings?: readonly PipelineWarning[] | undefined;
}

/** Something in a pipeline file that works but should change, with where it is. */
export type PipelineWarning = ConfigWarning;
