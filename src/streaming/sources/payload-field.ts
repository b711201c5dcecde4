const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A field of a JSON object payload as text, for a message's id or order;
 * `a.b` reaches into an object. Undefined when the payload is not a JSON
 * object or the field is missing, empty, null, an object or an array.
 */
export function readPayloadField(payload: Uint8Array, field: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(payload));
  } catch {
    return undefined;
  }
  for (const name of field.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  const text = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
  return text === '' ? undefined : text;
}
