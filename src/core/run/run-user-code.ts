import { SluiceError } from '../errors.ts';

/**
 * The one boundary around user code: whatever a block throws becomes a block
 * failure naming the block, its file and line, with the user's own stack.
 */
export async function runUserCode<T>(block: string, file: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toBlockError(error, block, file);
  }
}

export function toBlockError(error: unknown, block: string, file: string): SluiceError {
  if (error instanceof SluiceError) {
    if (error.location?.block) return error;
    return new SluiceError(error.code, error.message, {
      cause: error.cause,
      retryable: error.retryable,
      kind: error.kind,
      location: { ...error.location, block, file: error.location?.file ?? file },
      ...(error.userStack ? { userStack: error.userStack } : {}),
    });
  }
  const err = error instanceof Error ? error : new Error(String(error));
  const frames = userFrames(err.stack ?? '', file);
  const where = frames[0] ? frameLocation(frames[0], file) : undefined;
  return new SluiceError('block.threw', `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`, {
    cause: err,
    location: { block, file, ...(where ?? {}) },
    userStack: frames.join('\n') || undefined,
    // What a block's own code throws may be passing (a flaky API); a retry policy decides. Compile errors are not.
    retryable: true,
  });
}

/** Stack frames in user code: the block file and the project's other files, not Sluice or Node. */
function userFrames(stack: string, file: string): string[] {
  const lines = stack.split('\n').filter((l) => /^\s+at /.test(l));
  const own = lines.filter((l) => l.includes(file));
  if (own.length) {
    const last = lines.lastIndexOf(own[own.length - 1]!);
    return lines.slice(0, last + 1).filter((l) => !l.includes('node_modules') && !l.includes('node:internal')).map((l) => l.trim());
  }
  return [];
}

function frameLocation(frame: string, file: string): { line: number; column: number } | undefined {
  const at = frame.lastIndexOf(file);
  const match = /:(\d+):(\d+)\)?$/.exec(frame.slice(at));
  return match ? { line: Number(match[1]), column: Number(match[2]) } : undefined;
}
