import type { JsonSchema } from '@sluice/api';

/**
 * How a setting that is not a plain value is edited in a form: as its own
 * fields (an object), one of several shapes (variants), a list of named
 * entries (a map), a list of names typed as text, or, failing all, as JSON.
 */
export type Structure =
  | { readonly kind: 'object'; readonly schema: JsonSchema; readonly shortKey?: string | undefined }
  | { readonly kind: 'variants'; readonly variants: readonly JsonSchema[]; readonly labels: readonly string[]; readonly discriminator?: string | undefined }
  | { readonly kind: 'map'; readonly values: JsonSchema }
  | { readonly kind: 'list'; readonly groups: boolean }
  | { readonly kind: 'json' };

function typeOf(field: JsonSchema): string | undefined {
  return Array.isArray(field.type) ? field.type.find((t) => t !== 'null') : (field.type as string | undefined);
}

const isPlainText = (field: JsonSchema | undefined): boolean => !!field && typeOf(field) === 'string' && !field.enum && field.const === undefined;
const hasFields = (field: JsonSchema): boolean => typeOf(field) === 'object' && Object.keys(field.properties ?? {}).length > 0;

export function structureOf(field: JsonSchema): Structure {
  const options = field.anyOf ?? field.oneOf;
  if (options?.length) {
    // A choice written short (`name: exact`) or long (`name: { similarity: exact, weight: 2 }`) is edited long.
    const objects = options.filter(hasFields);
    const short = options.find((o) => typeOf(o) === 'string' && o.enum);
    if (objects.length === 1 && short && options.length === 2) {
      const shortKey = Object.entries(objects[0]!.properties!).find(([, p]) => JSON.stringify(p.enum) === JSON.stringify(short.enum))?.[0];
      if (shortKey) return { kind: 'object', schema: objects[0]!, shortKey };
    }
    if (objects.length === options.length) {
      const first = Object.keys(objects[0]!.properties!);
      const discriminator = first.find((key) => objects.every((o) => o.properties?.[key]?.const !== undefined));
      const labels = objects.map((o, i) => (discriminator ? String(o.properties![discriminator]!.const) : (o.required?.[0] ?? `shape ${i + 1}`)));
      return { kind: 'variants', variants: objects, labels, discriminator };
    }
    return { kind: 'json' };
  }
  if (hasFields(field)) return { kind: 'object', schema: field };
  if (typeOf(field) === 'object' && field.additionalProperties && typeof field.additionalProperties === 'object') return { kind: 'map', values: field.additionalProperties };
  if (typeOf(field) === 'array' && field.items) {
    if (isPlainText(field.items)) return { kind: 'list', groups: false };
    const items = field.items.anyOf ?? field.items.oneOf;
    if (items?.length === 2 && items.some(isPlainText) && items.some((i) => typeOf(i) === 'array' && isPlainText(i.items))) return { kind: 'list', groups: true };
  }
  return { kind: 'json' };
}

/** Which variant a value is: by its discriminator, else the first whose required keys it has. */
export function variantOf(structure: Extract<Structure, { kind: 'variants' }>, value: unknown): number {
  if (!value || typeof value !== 'object') return -1;
  const record = value as Record<string, unknown>;
  if (structure.discriminator) return structure.labels.indexOf(String(record[structure.discriminator]));
  return structure.variants.findIndex((v) => (v.required ?? []).every((key) => key in record));
}

/**
 * A list of names as text: `a, b`. With groups, an entry of several names is
 * joined by `+` (`zip, city + street`), as a blocking key of several columns is.
 */
export function listText(value: unknown): string {
  if (!Array.isArray(value)) return '';
  return value.map((entry) => (Array.isArray(entry) ? entry.join(' + ') : String(entry))).join(', ');
}

export function parseListText(text: string, groups: boolean): string[] | (string | string[])[] | undefined {
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (!entries.length) return undefined;
  if (!groups) return entries;
  return entries.map((entry) => {
    const names = entry.split('+').map((n) => n.trim()).filter(Boolean);
    return names.length === 1 ? names[0]! : names;
  });
}
