import { z } from 'zod';

/** A JSON Schema of settings (a connector's, a clean tool's), for the UI's generated forms. */
export function settingsJsonSchema(schema: z.ZodType): unknown {
  try {
    return withDefaults(z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }), schema);
  } catch {
    return { type: 'object' };
  }
}

/**
 * The defaults the JSON Schema leaves out: a default over a union (`create:
 * true` or 'true') is dropped by the conversion, yet the form must show it.
 */
function withDefaults(json: unknown, schema: z.ZodType): unknown {
  const properties = (json as { properties?: Record<string, Record<string, unknown>> }).properties;
  if (!properties || !(schema instanceof z.ZodObject)) return json;
  for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    if (field instanceof z.ZodDefault && properties[key] && properties[key].default === undefined) properties[key].default = field.def.defaultValue;
  }
  return json;
}
