import { z } from 'zod';
import type { Connector } from '../../core/connectors/connector.ts';
import { restConnectionSchema, restReadSchema, type RestConnectionSettings, type RestReadSettings } from './rest-config.ts';
import { connectRest } from './rest-connection.ts';

/**
 * REST APIs over HTTP(S): GET an endpoint page by page (page number, offset,
 * cursor, next link or Link header), JSON or XML detected per response, with
 * auth, rate limiting, retries with backoff and refusal of private addresses.
 * Each record becomes a row; nested values are kept as JSON.
 *
 * ```yaml
 * - name: orders
 *   role: loader
 *   connection: vendor_api
 *   settings: { path: orders, record_path: data.items, pagination: { type: link_header } }
 * ```
 */
export const restConnector: Connector<RestConnectionSettings, RestReadSettings, never> = {
  kind: 'rest',
  description: 'REST APIs: JSON or XML, pagination, auth, rate limits, retries',
  capabilities: {
    read: true,
    write: [],
    sql: false,
    needsConnection: true,
    transactions: false,
    syncSource: 'none',
    syncDestination: 'none',
    changeCapture: false,
    upsert: 'none',
    bulkPath: 'none',
  },
  connectionSchema: restConnectionSchema,
  readSchema: restReadSchema,
  writeSchema: z.never(),
  connect: (settings, context) => connectRest(settings, context),
};

export type { RestConnectionSettings, RestReadSettings } from './rest-config.ts';
