import type { JsonSchema } from '@sluice/api';

/** The required settings of `schema` that `value` leaves empty, in the schema's order. */
export function missingSettings(schema: JsonSchema | undefined, value: Readonly<Record<string, unknown>>): string[] {
  return (schema?.required ?? []).filter((key) => {
    const v = value[key];
    return v === undefined || v === null || (typeof v === 'string' && !v.trim());
  });
}

/** Whether a connector's blocks must name a connection, as the connector declares (a database does, a file does not). */
export function needsConnection(connector: { readonly capabilities?: unknown } | undefined): boolean {
  return Boolean((connector?.capabilities as { needsConnection?: boolean } | undefined)?.needsConnection);
}
