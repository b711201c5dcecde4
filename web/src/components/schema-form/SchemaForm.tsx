import { useState, type ReactNode } from 'react';
import type { JsonSchema } from '@sluice/api';
import { acceptsText, exampleHint } from './example-hint.ts';
import { BrowseButton } from '../../features/file-picker/BrowseButton.tsx';
import { StructuredField, type NestedRender } from './StructuredField.tsx';

export interface SchemaFormProps {
  readonly schema: JsonSchema | undefined;
  readonly value: Readonly<Record<string, unknown>>;
  readonly onChange: (value: Record<string, unknown>) => void;
  /** Fields the user marked secret (write-only): their values are never shown back. */
  readonly secrets?: ReadonlySet<string>;
  readonly onToggleSecret?: (field: string, secret: boolean) => void;
  /** What a secret field's empty input says about the value kept on the server (set, or which variable is unset). */
  readonly secretHints?: Readonly<Record<string, string>>;
  readonly testIdPrefix?: string;
  /** Optional settings always shown, never folded under "More settings". */
  readonly primary?: (key: string) => boolean;
  /** What the form says when the schema has no settings. */
  readonly emptyNote?: string;
  /**
   * Settings made of settings (an object, a choice of shapes, a map, a list of
   * names) get fields of their own instead of a JSON input, and every setting is shown.
   */
  readonly nested?: boolean;
}

/**
 * A form generated from a connector's JSON Schema: text, numbers, switches
 * and choices get their own inputs; nested values are edited as JSON.
 */
export function SchemaForm({ schema, value, onChange, secrets, onToggleSecret, secretHints, testIdPrefix = 'field', primary, emptyNote = 'This connector takes no settings.', nested = false }: SchemaFormProps) {
  const properties = Object.entries(schema?.properties ?? {});
  const required = new Set(schema?.required ?? []);
  if (!properties.length) return <p className="muted small">{emptyNote}</p>;
  // Required fields first, then the rest as the schema orders them.
  properties.sort(([a], [b]) => Number(required.has(b)) - Number(required.has(a)));
  const set = (key: string, next: unknown) => {
    const copy = { ...value };
    if (next === undefined || next === '') delete copy[key];
    else copy[key] = next;
    onChange(copy);
  };
  const field = ([key, schemaField]: [string, JsonSchema]) => (
    <SchemaField
      key={key}
      name={key}
      field={schemaField}
      required={required.has(key)}
      value={value[key]}
      onChange={(next) => set(key, next)}
      secret={secrets?.has(key) ?? false}
      secretHint={secretHints?.[key]}
      onToggleSecret={onToggleSecret ? (s) => onToggleSecret(key, s) : undefined}
      testId={`${testIdPrefix}-${key}`}
      nested={nested}
    />
  );
  // The required settings up front; the rest folded away unless one is already set.
  const main = properties.filter(([key]) => nested || required.has(key) || primary?.(key));
  const more = properties.filter(([key]) => !nested && !required.has(key) && !primary?.(key));
  const shown = main.length ? main : more.splice(0, 4);
  return (
    <div className="schema-form-wrap">
      <div className="schema-form">{shown.map(field)}</div>
      {more.length > 0 && (
        <details className="schema-more" open={more.some(([key]) => value[key] !== undefined)}>
          <summary data-testid={`${testIdPrefix}-more`}>More settings ({more.length})</summary>
          <div className="schema-form">{more.map(field)}</div>
        </details>
      )}
    </div>
  );
}

function typeOf(field: JsonSchema): string {
  if (field.enum) return 'enum';
  const type = Array.isArray(field.type) ? field.type.find((t) => t !== 'null') : field.type;
  if (type) return type as string;
  const options = field.anyOf ?? field.oneOf;
  // A yes/no setting that also takes 'true' / 'false' as text (from an environment variable) is still a switch.
  if (options?.length && options.every((o) => o.type === 'boolean' || (o.enum?.length && o.enum.every((v) => v === 'true' || v === 'false')))) return 'boolean';
  if (options?.every((o) => o.const !== undefined || o.enum)) return 'enum';
  return 'json';
}

/** A setting that takes text or a number (a seed): digits typed are kept as a number. */
function takesNumber(field: JsonSchema): boolean {
  return Array.isArray(field.type) && field.type.includes('number');
}

function enumValues(field: JsonSchema): unknown[] {
  if (field.enum) return [...field.enum];
  return (field.anyOf ?? field.oneOf ?? []).flatMap((o) => (o.enum ? [...o.enum] : [o.const]));
}

interface FieldProps {
  readonly name: string;
  readonly field: JsonSchema;
  readonly required: boolean;
  readonly value: unknown;
  readonly onChange: (value: unknown) => void;
  readonly secret: boolean;
  readonly secretHint: string | undefined;
  readonly onToggleSecret: ((secret: boolean) => void) | undefined;
  readonly testId: string;
  readonly nested?: boolean;
}

/** The fields inside a structured setting, drawn by this form. */
const nestedRender: NestedRender = {
  form: ({ schema, value, onChange, testIdPrefix }) => <SchemaForm schema={schema} value={value} onChange={onChange} testIdPrefix={testIdPrefix} nested emptyNote="" />,
  field: ({ name, field, value, onChange, testId }) => (
    <SchemaField name={name} field={field} required value={value} onChange={onChange} secret={false} secretHint={undefined} onToggleSecret={undefined} testId={testId} nested />
  ),
};

function SchemaField({ name, field, required, value, onChange, secret, secretHint, onToggleSecret, testId, nested = false }: FieldProps) {
  const type = typeOf(field);
  const label = (
    <span className="field-label">
      {field.title ?? name}
      {required && <span className="required" title="required">*</span>}
      {field.description && <span className="field-help">{field.description}</span>}
    </span>
  );
  if (type === 'boolean') {
    const checked = typeof value === 'boolean' ? value : field.default === true;
    return (
      <label className="field checkbox">
        <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
        {label}
      </label>
    );
  }
  if (type === 'enum') {
    return (
      <label className="field">
        {label}
        <select value={value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value || undefined)} data-testid={testId}>
          <option value="">{field.default !== undefined ? `default (${String(field.default)})` : '—'}</option>
          {enumValues(field).map((v) => (
            <option key={String(v)} value={String(v)}>{String(v)}</option>
          ))}
        </select>
      </label>
    );
  }
  if (type === 'number' || type === 'integer') {
    return (
      <label className="field">
        {label}
        <input type="number" step={type === 'integer' ? 1 : 'any'} value={typeof value === 'number' ? value : ''} placeholder={field.default !== undefined ? String(field.default) : ''} onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))} data-testid={testId} />
      </label>
    );
  }
  if (type === 'string') {
    return (
      <label className="field">
        {label}
        <span className="field-row">
          <input
            type={secret ? 'password' : 'text'}
            autoComplete="off"
            spellCheck={false}
            value={typeof value === 'string' ? value : typeof value === 'number' ? String(value) : ''}
            placeholder={secret && secretHint ? secretHint : field.default !== undefined ? String(field.default) : ''}
            onChange={(e) => onChange(takesNumber(field) && /^-?\d+(\.\d+)?$/.test(e.target.value) ? Number(e.target.value) : e.target.value)}
            data-testid={testId}
          />
          {field.format === 'project-path' && <BrowseButton value={typeof value === 'string' ? value : ''} onPick={onChange} testId={`${testId}-browse`} />}
          {onToggleSecret && (
            <label className="secret-toggle" title="Keep this value in .sluice/secrets.env, out of git; it is never shown again">
              <input type="checkbox" checked={secret} onChange={(e) => onToggleSecret(e.target.checked)} data-testid={`${testId}-secret`} /> secret
            </label>
          )}
        </span>
      </label>
    );
  }
  const json = <JsonField label={label} field={field} value={value} onChange={onChange} testId={testId} />;
  return nested ? <StructuredField label={label} field={field} value={value} onChange={onChange} testId={testId} render={nestedRender} fallback={json} /> : json;
}

function JsonField({ label, field, value, onChange, testId }: { label: ReactNode; field: JsonSchema; value: unknown; onChange: (v: unknown) => void; testId: string }) {
  const plainText = acceptsText(field);
  const [text, setText] = useState(value === undefined ? '' : typeof value === 'string' && plainText ? value : JSON.stringify(value));
  const [bad, setBad] = useState(false);
  return (
    <label className="field">
      {label}
      <input
        className={bad ? 'invalid' : ''}
        spellCheck={false}
        value={text}
        placeholder={exampleHint(field)}
        onChange={(e) => {
          setText(e.target.value);
          if (!e.target.value.trim()) {
            setBad(false);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(e.target.value));
            setBad(false);
          } catch {
            // A setting that takes text takes it as typed, without JSON quotes.
            if (plainText) onChange(e.target.value);
            setBad(!plainText);
          }
        }}
        data-testid={testId}
      />
    </label>
  );
}
