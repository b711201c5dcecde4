import type { JsonSchema } from '@sluice/api';

/**
 * The hint in an empty input, made from the field's own schema: a setting
 * that takes a name or a list says so (`e.g. text or ["text"]`), a map of
 * names shows one entry. No field borrows another's example.
 */
export function exampleHint(field: JsonSchema): string {
  const examples = [...new Set(optionsOf(field).map((option) => example(option, 0)))];
  const hint = `e.g. ${examples.join(' or ')}`;
  return field.default !== undefined ? `${hint} (default ${JSON.stringify(field.default)})` : hint;
}

/** Whether the setting takes plain text, so what is typed need not be quoted JSON. */
export function acceptsText(field: JsonSchema): boolean {
  return optionsOf(field).some((option) => typeOf(option) === 'string' && !option.enum && option.const === undefined);
}

function optionsOf(field: JsonSchema): readonly JsonSchema[] {
  return field.anyOf ?? field.oneOf ?? [field];
}

function typeOf(field: JsonSchema): string | undefined {
  return Array.isArray(field.type) ? field.type.find((t) => t !== 'null') : (field.type as string | undefined);
}

function example(field: JsonSchema, depth: number): string {
  if (field.const !== undefined) return JSON.stringify(field.const);
  if (field.enum?.length) return JSON.stringify(field.enum[0]);
  if ((field.anyOf ?? field.oneOf) && depth < 3) return example(optionsOf(field)[0]!, depth + 1);
  switch (typeOf(field)) {
    case 'string':
      // Typed as is at the top; inside a list or map it is JSON text.
      return depth === 0 ? 'text' : '"text"';
    case 'integer':
      return '1';
    case 'number':
      return '1.5';
    case 'boolean':
      return 'true';
    case 'array':
      return `[${field.items && depth < 3 ? example(field.items, depth + 1) : '…'}]`;
    case 'object': {
      const [first] = Object.entries(field.properties ?? {});
      if (first) return `{"${first[0]}": ${depth < 3 ? example(first[1], depth + 1) : '…'}}`;
      const values = typeof field.additionalProperties === 'object' ? field.additionalProperties : undefined;
      return `{"name": ${values && depth < 3 ? example(values, depth + 1) : '…'}}`;
    }
    default:
      return 'JSON';
  }
}
