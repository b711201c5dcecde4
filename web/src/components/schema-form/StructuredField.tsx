import { useState, type ReactNode } from 'react';
import type { JsonSchema } from '@sluice/api';
import { listText, parseListText, structureOf, variantOf, type Structure } from './structure.ts';

type Settings = Record<string, unknown>;

/** How a structured field draws the fields inside it, handed down by the form (which it cannot import back). */
export interface NestedRender {
  readonly form: (props: { schema: JsonSchema; value: Settings; onChange: (value: Settings) => void; testIdPrefix: string }) => ReactNode;
  readonly field: (props: { name: string; field: JsonSchema; value: unknown; onChange: (value: unknown) => void; testId: string }) => ReactNode;
}

export interface StructuredFieldProps {
  readonly label: ReactNode;
  readonly field: JsonSchema;
  readonly value: unknown;
  readonly onChange: (value: unknown) => void;
  readonly testId: string;
  readonly render: NestedRender;
  /** Drawn when the setting is none of the shapes a form can edit. */
  readonly fallback: ReactNode;
}

const asSettings = (value: unknown): Settings => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Settings) : {});
const emptyToUndefined = (value: Settings): Settings | undefined => (Object.keys(value).length ? value : undefined);

/**
 * A setting made of other settings, edited as fields rather than JSON: an
 * object as its fields, a choice of shapes as a picker and the chosen shape's
 * fields, a map as named entries, a list of names as text.
 */
export function StructuredField({ label, field, value, onChange, testId, render, fallback }: StructuredFieldProps) {
  const structure = structureOf(field);
  switch (structure.kind) {
    case 'object': {
      const current = typeof value === 'string' && structure.shortKey ? { [structure.shortKey]: value } : asSettings(value);
      return (
        <fieldset className="schema-group" data-testid={testId}>
          <legend>{label}</legend>
          {render.form({ schema: structure.schema, value: current, onChange: (next) => onChange(emptyToUndefined(next)), testIdPrefix: testId })}
        </fieldset>
      );
    }
    case 'variants':
      return <VariantsField label={label} structure={structure} value={value} onChange={onChange} testId={testId} render={render} />;
    case 'map':
      return <MapField label={label} values={structure.values} value={asSettings(value)} onChange={onChange} testId={testId} render={render} />;
    case 'list':
      return <ListField label={label} groups={structure.groups} value={value} onChange={onChange} testId={testId} />;
    default:
      return fallback;
  }
}

function VariantsField({ label, structure, value, onChange, testId, render }: { label: ReactNode; structure: Extract<Structure, { kind: 'variants' }>; value: unknown; onChange: (v: unknown) => void; testId: string; render: NestedRender }) {
  // A shape told apart by its required settings is not recognised until they are filled, so the pick is kept here too.
  const [picked, setPicked] = useState(() => variantOf(structure, value));
  const found = variantOf(structure, value);
  const chosen = found >= 0 ? found : picked;
  const current = asSettings(value);
  const disc = structure.discriminator;
  const pick = (index: number) => {
    setPicked(index);
    if (index < 0) return onChange(undefined);
    // The settings the new shape also takes (a column, a seed) are kept.
    const keeps = Object.keys(structure.variants[index]!.properties ?? {});
    const kept = Object.fromEntries(Object.entries(current).filter(([key]) => keeps.includes(key) && key !== disc));
    onChange(disc ? { [disc]: structure.labels[index], ...kept } : kept);
  };
  const variant = structure.variants[chosen];
  // The discriminator is the picker itself; the shape's other settings follow it.
  const rest: JsonSchema | undefined = variant && disc
    ? { ...variant, properties: Object.fromEntries(Object.entries(variant.properties ?? {}).filter(([key]) => key !== disc)), required: (variant.required ?? []).filter((key) => key !== disc) }
    : variant;
  return (
    <fieldset className="schema-group" data-testid={testId}>
      <legend>{label}</legend>
      <div className="schema-form">
        <label className="field">
          <span className="field-label">{disc ?? 'kind'}<span className="required" title="required">*</span></span>
          <select value={chosen < 0 ? '' : structure.labels[chosen]} onChange={(e) => pick(structure.labels.indexOf(e.target.value))} data-testid={`${testId}-${disc ?? 'kind'}`}>
            <option value="">pick one</option>
            {structure.labels.map((name) => <option key={name} value={name}>{name}</option>)}
          </select>
        </label>
      </div>
      {rest && render.form({
        schema: rest,
        value: Object.fromEntries(Object.entries(current).filter(([key]) => key !== disc)),
        onChange: (next) => onChange(disc ? { [disc]: structure.labels[chosen], ...next } : next),
        testIdPrefix: testId,
      })}
    </fieldset>
  );
}

/** A map (each column to its settings) as rows: a name, its value, a button to remove it, and one to add a row. */
function MapField({ label, values, value, onChange, testId, render }: { label: ReactNode; values: JsonSchema; value: Settings; onChange: (v: unknown) => void; testId: string; render: NestedRender }) {
  // Rows are kept here, so a row whose name is still being typed (empty, or a name taken twice) is not lost.
  const [rows, setRows] = useState<[string, unknown][]>(() => Object.entries(value));
  const update = (next: [string, unknown][]) => {
    setRows(next);
    const named = next.filter(([name]) => name.trim());
    onChange(named.length ? Object.fromEntries(named.map(([name, v]) => [name.trim(), v])) : undefined);
  };
  return (
    <fieldset className="schema-group" data-testid={testId}>
      <legend>{label}</legend>
      {rows.map(([name, entry], i) => (
        <div className="schema-map-row" key={i} data-testid={`${testId}-${i}`}>
          <label className="field">
            <span className="field-label">Name<span className="required" title="required">*</span></span>
            <input value={name} spellCheck={false} onChange={(e) => update(rows.map((row, at) => (at === i ? [e.target.value, row[1]] : row)))} data-testid={`${testId}-${i}-name`} />
          </label>
          {render.field({ name: 'value', field: values, value: entry, onChange: (v) => update(rows.map((row, at) => (at === i ? [row[0], v] : row))), testId: `${testId}-${i}-value` })}
          <button type="button" className="button small" onClick={() => update(rows.filter((_, at) => at !== i))} data-testid={`${testId}-${i}-remove`}>Remove</button>
        </div>
      ))}
      {new Set(rows.map(([name]) => name.trim())).size !== rows.length && <p className="muted small">A name is given twice; only the last counts.</p>}
      <div className="form-actions">
        <button type="button" className="button small" onClick={() => setRows([...rows, ['', undefined]])} data-testid={`${testId}-add`}>Add</button>
      </div>
    </fieldset>
  );
}

/** A list of names typed as `a, b`; with groups, `city + street` is one entry of two names. */
function ListField({ label, groups, value, onChange, testId }: { label: ReactNode; groups: boolean; value: unknown; onChange: (v: unknown) => void; testId: string }) {
  const [text, setText] = useState(listText(value));
  return (
    <label className="field">
      {label}
      <input
        value={text}
        spellCheck={false}
        placeholder={groups ? 'e.g. zip, city + street' : 'e.g. id, name'}
        onChange={(e) => {
          setText(e.target.value);
          onChange(parseListText(e.target.value, groups));
        }}
        data-testid={testId}
      />
    </label>
  );
}
