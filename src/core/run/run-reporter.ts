import type { Block } from '../pipeline/pipeline.ts';
import type { BlockRunRecord, LogLevel } from '../run-store/run-store.ts';

/** What a caller (the CLI's progress display, the server's live view) hears while a run goes. */
export interface RunReporter {
  runStarted?(run: { id: string; pipeline: string; blocks: readonly Block[] }): void;
  blockStarted?(block: Block): void;
  blockFinished?(record: BlockRunRecord): void;
  log?(block: string | undefined, level: LogLevel, message: string): void;
}
