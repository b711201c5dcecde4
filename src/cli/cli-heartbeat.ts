import { hostname } from 'node:os';

/** How long a run started by hand stays alive without renewing its lease; 30 s unless SLUICE_RUN_LEASE_MS says. */
const defaultLeaseMs = 30_000;

/** A run started by hand keeps a lease too, so a scheduler sharing the run store knows it is alive. */
export function cliHeartbeat(): { owner: string; leaseMs: number } {
  const configured = Number(process.env.SLUICE_RUN_LEASE_MS);
  const leaseMs = Number.isInteger(configured) && configured >= 300 ? configured : defaultLeaseMs;
  return { owner: `cli:${hostname()}:${process.pid}`, leaseMs };
}
