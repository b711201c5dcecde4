import type { ConnectorConnection } from '../../core/connectors/connector.ts';
import { registerSecret } from '../../core/project/secrets.ts';
import { createAddressCheck } from './rest-address-guard.ts';
import { applyAuth } from './rest-auth.ts';
import { createRestClient } from './rest-client.ts';
import type { RestConnectionSettings, RestReadSettings } from './rest-config.ts';
import { createRateLimiter } from './rest-rate-limiter.ts';
import { readRest } from './rest-read.ts';

/**
 * Prepares a REST connection. Nothing is requested until a block reads: an
 * API has no cheap "ping" that every vendor answers. The rate limit is shared
 * by every read through this connection.
 */
export async function connectRest(
  settings: RestConnectionSettings,
  context: { readonly name: string },
  options: { readonly backoffMs?: number } = {},
): Promise<ConnectorConnection<RestReadSettings, never>> {
  const { XMLParser } = await import('fast-xml-parser');
  const auth = applyAuth(settings.auth);
  const baseUrl = new URL(settings.base_url);
  if (baseUrl.password) registerSecret(decodeURIComponent(baseUrl.password));
  const client = createRestClient({
    connection: context.name,
    baseUrl,
    headers: settings.headers,
    auth,
    timeoutMs: settings.timeout,
    retries: settings.retries,
    limiter: createRateLimiter(settings.rate_limit),
    checkAddress: createAddressCheck(context.name, settings.allow_private),
    ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
  });
  const endpoint = { connection: context.name, baseUrl: settings.base_url, client, XmlParser: XMLParser };
  return {
    read: ({ settings: read, location }, ctx) => readRest(endpoint, read, location, ctx),
    async close() {},
  };
}
