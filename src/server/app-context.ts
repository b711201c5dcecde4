import type { ConnectorRegistry } from '../core/connectors/connector.ts';
import type { DataPlaneSession } from '../core/data-plane/data-plane.ts';
import type { OutputStore } from '../core/output-store/output-store.ts';
import type { Pipeline } from '../core/pipeline/pipeline.ts';
import type { RunRecord, RunStore } from '../core/run-store/run-store.ts';
import type { DataInterval } from '../core/pipeline/schedule.ts';
import type { RunMetrics } from './metrics/run-metrics.ts';
import type { SessionLimits } from './users/user-auth.ts';
import type { FleetControl } from '../executor/read-fleet.ts';
import type { OidcOptions } from './users/oidc-client.ts';
import type { IngestEndpoints } from '../streaming/index.ts';

/** Which blocks a run the API started runs, and whose stored outputs it reads for the others. */
export interface RunPlan {
  readonly only?: readonly string[] | undefined;
  readonly reuseOutputsOf?: string | undefined;
}

/** What the API is composed with; `sluice serve` builds it. */
export interface AppDependencies {
  readonly root: string;
  /** The project's state folder (`.sluice`): secrets and the token live here. */
  readonly stateDir: string;
  readonly store: RunStore;
  /** Where block outputs are kept: previews, pages and downloads read through it. */
  readonly outputs: OutputStore;
  /** The project's API token: an admin key while the project has no users, refused once it has. */
  readonly token: string;
  /** How long browser sessions last (sluice.yaml `auth.sessions`); 8 hours idle and 7 days at most by default. */
  readonly sessionLimits?: SessionLimits | undefined;
  /**
   * Marks the sign-in cookies Secure even on a plain-HTTP request: people
   * reach Sluice over HTTPS through a proxy that ends TLS (sluice.yaml
   * `base_url` is https), so the cookie must never travel unencrypted.
   */
  readonly secureCookies?: boolean | undefined;
  /** OpenID Connect sign-in, from sluice.yaml `auth.oidc` with its secret read. */
  readonly oidc?: OidcOptions | undefined;
  readonly connectors: ConnectorRegistry;
  /** Starts a run the API created; the request does not wait for it. */
  readonly execute: (pipeline: Pipeline, run: RunRecord, plan: RunPlan & { readonly interval?: DataInterval | undefined }) => void;
  /** Stops a run this process is running now (other processes learn a cancel at their heartbeat). */
  readonly abort: (runId: string) => void;
  /** Lends a data plane session (for reading stored outputs) for the length of `work`. */
  readonly withSession: <T>(work: (session: DataPlaneSession) => Promise<T>) => Promise<T>;
  /** What this process's runs measured, for `/metrics`; and the scrapers' own token, if sluice.yaml sets one. */
  readonly metrics?: { readonly runMetrics?: RunMetrics | undefined; readonly token?: string | undefined } | undefined;
  /** The built web UI; absent or unbuilt, `/` says how to build it. */
  readonly webDist?: string | undefined;
  /** The workers taking queued block runs, and the queue; absent when sluice.yaml sets no `queue:`. */
  readonly fleet?: FleetControl | undefined;
  /** The http sources of the streams this process runs, for `POST /api/ingest/:pipeline`; absent, the route answers 503. */
  readonly ingest?: IngestEndpoints | undefined;
}
