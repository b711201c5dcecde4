import { registerSecret } from '../../core/project/secrets.ts';
import type { RestAuth } from './rest-config.ts';

/** How a connection's credentials go on a request: headers and query parameters. */
export interface AppliedAuth {
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** Every secret value, for masking URLs. */
  readonly secrets: ReadonlySet<string>;
}

/** Turns the auth setting into what each request carries, and registers its secrets so they are masked everywhere. */
export function applyAuth(auth: RestAuth | undefined): AppliedAuth {
  const secrets = new Set<string>();
  const secret = (value: string): string => {
    registerSecret(value);
    secrets.add(value);
    return value;
  };
  if (!auth) return { headers: {}, query: {}, secrets };
  if ('bearer' in auth) return { headers: { authorization: `Bearer ${secret(auth.bearer)}` }, query: {}, secrets };
  if ('basic' in auth) {
    secret(auth.basic.password);
    const encoded = secret(Buffer.from(`${auth.basic.user}:${auth.basic.password}`).toString('base64'));
    return { headers: { authorization: `Basic ${encoded}` }, query: {}, secrets };
  }
  const { name, value, in: where } = auth.api_key;
  secret(value);
  return where === 'query' ? { headers: {}, query: { [name]: value }, secrets } : { headers: { [name.toLowerCase()]: value }, query: {}, secrets };
}
