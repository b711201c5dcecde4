import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/**
 * Rewrites a text file as UTF-8, chunk by chunk, for a reader that does not
 * know its encoding (Windows-1252, the usual one of spreadsheet exports).
 * Memory stays bounded whatever the file's size; line breaks are unchanged,
 * so line numbers in the copy are the original's.
 */
export async function transcodeFile(source: string, target: string, encoding: string, options: { gzip?: boolean; signal?: AbortSignal | undefined } = {}): Promise<void> {
  const decoder = new TextDecoder(encoding);
  const decode = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8'));
    },
    flush(done) {
      done(null, Buffer.from(decoder.decode(), 'utf8'));
    },
  });
  const steps = [createReadStream(source), ...(options.gzip ? [createGunzip()] : []), decode, createWriteStream(target)] as const;
  await pipeline(steps, options.signal ? { signal: options.signal } : {});
}
