import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { SluiceError } from '../errors.ts';
import { quoteLiteral } from '../sql/quote.ts';
import type { FileReadSpec } from './data-plane.ts';
import type { CsvEngine } from './csv-engine.ts';
import { transcodeFile } from './transcode-file.ts';

/** Encodings the engine reads itself; others are transcoded to UTF-8 in a stream first. */
export const engineEncodings: Readonly<Record<string, string>> = { 'utf-8': 'utf-8', 'utf-16': 'utf-16', 'latin-1': 'latin-1' };

/** Globs expanded to files, since lines are counted and encodings transcoded file by file. */
export async function expandPaths(engine: CsvEngine, patterns: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const pattern of patterns) {
    const found = await engine.query(`SELECT file FROM glob(${quoteLiteral(pattern)}) ORDER BY file`);
    if (!found.length) {
      throw new SluiceError('file.read_failed', `cannot read csv: no file matches ${pattern}`, { location: { file: pattern } });
    }
    files.push(...found.map((r) => String(r.file)));
  }
  return files;
}

export interface Copies {
  readonly paths: string[];
  readonly original: Map<string, string>;
  readonly transcoded: boolean;
  remove(): void;
}

/** Files in an encoding the engine does not read are transcoded to UTF-8 copies, in a stream. */
export async function transcodeCopies(scratch: string, spec: FileReadSpec, signal?: AbortSignal): Promise<Copies> {
  const encoding = spec.csv?.encoding;
  if (!encoding || engineEncodings[encoding]) return { paths: [...spec.paths], original: new Map(), transcoded: false, remove() {} };
  const dir = path.join(scratch, `transcoded-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  const original = new Map<string, string>();
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const paths = await Promise.all(
      spec.paths.map(async (file, i) => {
        const copy = path.join(dir, `${i}.csv`);
        const gzip = spec.compression === 'gzip' || (spec.compression === undefined && /\.(gz|gzip)$/i.test(file));
        await transcodeFile(file, copy, encoding, { gzip, signal });
        original.set(copy, file);
        return copy;
      }),
    );
    return { paths, original, transcoded: true, remove };
  } catch (error) {
    remove();
    throw new SluiceError('file.read_failed', `cannot read ${spec.paths[0]} as ${encoding}: ${(error as Error).message}`, { cause: error });
  }
}

export function originalNameSql(column: string, original: ReadonlyMap<string, string>): string {
  return `CASE ${column} ${[...original].map(([copy, file]) => `WHEN ${quoteLiteral(copy)} THEN ${quoteLiteral(file)}`).join(' ')} ELSE ${column} END`;
}
