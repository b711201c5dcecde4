import { hostname } from 'node:os';

/** A run started by hand keeps a lease too, so a scheduler sharing the run store knows it is alive. */
export function cliHeartbeat(): { owner: string; leaseMs: number } {
  return { owner: `cli:${hostname()}:${process.pid}`, leaseMs: 30_000 };
}
