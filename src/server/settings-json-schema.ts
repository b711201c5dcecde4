import { z } from 'zod';

/** A JSON Schema as the API publishes settings; only the keywords a generated form reads are named. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly title?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
  readonly items?: JsonSchema;
  readonly additionalProperties?: boolean | JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly const?: unknown;
  readonly format?: string;
  readonly writeOnly?: boolean;
}

/** A JSON Schema of settings (a connector's, a clean tool's), for the UI's generated forms. */
export function settingsJsonSchema(schema: z.ZodType): JsonSchema {
  try {
    // zod writes JSON Schema; the interface names the part of it forms use.
    return withDefaults(z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }), schema) as JsonSchema;
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
