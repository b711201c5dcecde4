import type { LogLevel } from '../run-store/run-store.ts';

/** What blocks and connectors log through; every message is masked for secrets. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type LogSink = (level: LogLevel, message: string) => void;

export function createLogger(sink: LogSink): Logger {
  return {
    debug: (m) => sink('debug', m),
    info: (m) => sink('info', m),
    warn: (m) => sink('warn', m),
    error: (m) => sink('error', m),
  };
}
