import path from 'node:path';
import { formatLocation, SluiceError, type SerializedError } from '../core/errors.ts';
import type { Pipeline } from '../core/pipeline/pipeline.ts';
import { mask } from '../core/project/secrets.ts';

/** What a line is about, for collectors reading JSON lines (`--log-format json`); plain text ignores it. */
export interface LogFields {
  readonly level?: 'debug' | 'info' | 'warn' | 'error' | undefined;
  readonly run?: string | undefined;
  readonly block?: string | undefined;
}

/** Where the CLI writes: plain lines when not on a terminal (CI, pipes). */
export interface Output {
  readonly tty: boolean;
  line(text?: string, fields?: LogFields): void;
  error(text: string, fields?: LogFields): void;
  /** A line that the next status() or line() replaces, on a terminal only. */
  status(text: string): void;
}

export function createOutput(stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Output {
  const tty = Boolean(stdout.isTTY) && !process.env.CI;
  let statusShown = false;
  const clear = (): void => {
    if (statusShown) {
      stdout.write('\r\x1b[2K');
      statusShown = false;
    }
  };
  return {
    tty,
    line(text = '') {
      clear();
      stdout.write(`${mask(text)}\n`);
    },
    error(text) {
      clear();
      stderr.write(`${mask(text)}\n`);
    },
    status(text) {
      if (!tty) return;
      stdout.write(`\r\x1b[2K${mask(text).slice(0, (stdout.columns ?? 100) - 1)}`);
      statusShown = true;
    },
  };
}

// Colour codes, cursor moves included, never reach a JSON line.
const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');

/**
 * One JSON object a line (`time`, `level`, `run`, `block`, `message`), for
 * log collectors: lines go to stdout, errors to stderr at level error, and
 * the transient status line is dropped. Indentation, which lays out text
 * for people, is trimmed.
 */
export function createJsonOutput(stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr, now: () => Date = () => new Date()): Output {
  const write = (stream: NodeJS.WritableStream, text: string, fields: LogFields | undefined, level: NonNullable<LogFields['level']>): void => {
    const record = { time: now().toISOString(), level: fields?.level ?? level, run: fields?.run, block: fields?.block, message: mask(text).replace(ansi, '').trim() };
    stream.write(`${JSON.stringify(record)}\n`);
  };
  return {
    tty: false,
    line(text = '', fields) {
      write(stdout, text, fields, 'info');
    },
    error(text, fields) {
      write(stderr, text, fields, 'error');
    },
    status() {},
  };
}

const colorOn = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && !process.env.CI;
const paint = (code: number) => (text: string) => (colorOn ? `\x1b[${code}m${text}\x1b[0m` : text);
export const green = paint(32);
export const red = paint(31);
export const yellow = paint(33);
export const dim = paint(2);
export const bold = paint(1);

export function formatCount(n: number | undefined): string {
  return n === undefined ? '-' : n.toLocaleString('en-US');
}

/** Compact durations for terminal output (`406ms`, `1.4s`, `2m5s`). */
export { formatDuration } from '../core/pipeline/duration.ts';

/** `file:line:col, block 'x': message`, with paths shown relative to the project. */
export function describeError(error: SluiceError | SerializedError, root?: string): string {
  const location = error.location && root && error.location.file && path.isAbsolute(error.location.file)
    ? { ...error.location, file: path.relative(root, error.location.file) || error.location.file }
    : error.location;
  const where = formatLocation(location);
  const text = `${where ? `${where}: ` : ''}${error.message}`;
  const stack = error.userStack ? `\n${error.userStack.split('\n').map((l) => `    ${l}`).join('\n')}` : '';
  return mask(text + stack);
}

/** Renders rows as an aligned text table; values are shown as text, never interpreted. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const cell = (value: string, i: number): string => {
    const v = value.replace(/[\r\n\t]/g, ' ');
    return (v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v).padEnd(widths[i]!);
  };
  const lines = [headers.map(cell).join('  '), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => r.map(cell).join('  '))];
  return lines.map((l) => l.trimEnd()).join('\n');
}

export function showValue(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date) return value.toISOString().replace('T00:00:00.000Z', '').replace('.000Z', 'Z');
  if (typeof value === 'object') return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return String(value);
}

/** Deprecation warnings of a pipeline or the project's files, one line each, with where to change the file. */
export function describeWarnings(source: Pick<Pipeline, 'warnings'>): string[] {
  return (source.warnings ?? []).map((w) => `warning: ${formatLocation(w.location)}: ${w.message}`);
}
