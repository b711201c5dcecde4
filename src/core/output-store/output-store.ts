/**
 * Where block outputs are kept between block runs, and read back by
 * downstream blocks, previews and the API. The engine and the server reach
 * stored outputs only through this contract, so the local folder (the default)
 * and an object store can stand in for each other.
 */
export interface OutputRef {
  readonly pipeline: string;
  readonly runId: string;
  /** Without a block, the location names all of the run's outputs (for cleanup). */
  readonly block?: string | undefined;
}

/** A block run's own location: the output, and the files kept beside it. */
export interface BlockOutputRef extends OutputRef {
  readonly block: string;
}

/** A name of a file kept beside an output: letters, digits, `.`, `_` and `-`, so a name never leaves its folder. */
export const outputFileNamePattern = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Refuses a file name that could leave its block's folder. */
export function checkOutputFileName(name: string): void {
  if (!outputFileNamePattern.test(name)) throw new RangeError(`'${name}' is not a file name kept beside an output (letters, digits, . _ -)`);
}

export interface OutputStore {
  /** Where a block run's output is kept (or, without `block`, every output of a run). */
  location(ref: OutputRef): string;
  /** Whether an output is still kept there (retention may have removed it). */
  exists(location: string): Promise<boolean>;
  /**
   * A local file the data plane can read the output from: the file itself
   * when outputs are local, else a cached copy that stays (is never pruned)
   * until `release` is given it.
   */
  read(location: string): Promise<string>;
  /** Says a file `read` gave is no longer used by this reader, so a bounded cache may prune it. */
  release(file: string): void;
  /**
   * Where the data plane writes an output before `write` keeps it at
   * `location`: the location itself when outputs are local, so nothing is copied.
   */
  stagingPath(location: string, scratchDir: string): string;
  /** Keeps the file the data plane wrote at `staged` as the output at `location`. */
  write(location: string, staged: string): Promise<void>;
  /** Removes an output (or all of a run's outputs); removing what is not there is no error. */
  delete(location: string): Promise<void>;
  /**
   * Keeps a small text file a block run leaves beside its output (a prepare
   * block's fitted parameters), replacing one of that name. It sits under the
   * run's location, so removing the run's outputs removes it too, and any
   * process that reads the outputs (a worker on another machine, the server)
   * reads it.
   */
  writeFile(ref: BlockOutputRef, name: string, contents: string): Promise<void>;
  /** The files a block run kept beside its output, by name; `{}` when there are none. */
  readFiles(ref: BlockOutputRef): Promise<Record<string, string>>;
}
