import { hostname } from 'node:os';

/** How long a run started by hand stays alive without renewing its lease; 30 s unless SLUICE_RUN_LEASE_MS says. */
const defaultLeaseMs = 30_000;

/** Who started a run in this process: the `sluice` command or a program using Sluice as a library. */
export type RunStarter = 'cli' | 'library';

/**
 * A run started by hand (from the command line or a program) keeps a lease too, so a scheduler
 * sharing the run store knows it is alive, and fails it as lost if this process dies.
 */
export function runHeartbeat(starter: RunStarter): { owner: string; leaseMs: number } {
  const configured = Number(process.env.SLUICE_RUN_LEASE_MS);
  const leaseMs = Number.isInteger(configured) && configured >= 300 ? configured : defaultLeaseMs;
  return { owner: `${starter}:${hostname()}:${process.pid}`, leaseMs };
}
