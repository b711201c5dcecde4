import { ConfigError, type ErrorLocation } from '../errors.ts';

/**
 * Fills `{{ name }}` in block settings with run variables. Only settings are
 * templated; SQL reads variables with getvariable() so values never become SQL.
 */
export function fillTemplates<T>(value: T, values: Readonly<Record<string, unknown>>, where: ErrorLocation): T {
  const fill = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/.exec(v);
      if (whole) return lookup(whole[1]!);
      return v.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => String(lookup(name)));
    }
    if (Array.isArray(v)) return v.map(fill);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
    return v;
  };
  const lookup = (name: string): unknown => {
    if (!Object.hasOwn(values, name)) {
      throw new ConfigError('template.unknown_variable', `{{ ${name} }} names no variable (known: ${Object.keys(values).join(', ') || 'none'})`, {
        location: where,
      });
    }
    return values[name];
  };
  return fill(value) as T;
}
