import type { SerializedError } from '../../core/errors.ts';
import type { LogRecord } from '../../core/run-store/run-store.ts';
import { personalDataText } from '../../core/lineage/blocks-handling-pii.ts';

/** What stands in for free text a role below editor may not read: a log line's or an error's message. */
export const maskedText = personalDataText;

/**
 * Which free text of one run a caller may read (docs/pii.md). Log lines and
 * error messages are written by blocks and by the systems they reach (a
 * database quotes the value it could not convert): no one can tell a value
 * in them from any other word, so for a role below editor the whole text of
 * a block that reads or writes a personal-data column is replaced, and the
 * text of the run itself (a line without a block, the run's error) when any
 * of its blocks does. Levels, times, error codes, kinds and locations stay.
 */
export class TextMask {
  /** `blocks`: the blocks whose text is hidden, or `all` (the pipeline's marks cannot be read). */
  constructor(private readonly blocks: ReadonlySet<string> | 'all') {}

  static readonly none = new TextMask(new Set());

  /** Whether the text of `block` (undefined: the run's own) is hidden. */
  hides(block: string | undefined): boolean {
    if (this.blocks === 'all') return true;
    return block === undefined ? this.blocks.size > 0 : this.blocks.has(block);
  }

  log<T extends Pick<LogRecord, 'block' | 'message'>>(line: T): T {
    return this.hides(line.block) ? { ...line, message: maskedText } : line;
  }

  logs<T extends Pick<LogRecord, 'block' | 'message'>>(lines: readonly T[]): T[] {
    return lines.map((l) => this.log(l));
  }

  /** An error of `block` (undefined: the run's): its message and the user's stack go, its code, kind and location stay. */
  error<E extends SerializedError | null | undefined>(block: string | undefined, error: E): E {
    if (!error || !this.hides(block)) return error;
    const { userStack: _stack, ...rest } = error;
    return { ...rest, message: maskedText } as unknown as E;
  }

  /** A record carrying a run's error (a run record, a dashboard row). */
  run<T extends { readonly error?: SerializedError | null | undefined }>(record: T): T {
    return record.error ? { ...record, error: this.error(undefined, record.error) } : record;
  }

  /** A record carrying a block run's error. */
  blockRun<T extends { readonly block: string; readonly error?: SerializedError | null | undefined }>(record: T): T {
    return record.error ? { ...record, error: this.error(record.block, record.error) } : record;
  }
}
