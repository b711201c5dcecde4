import { useState } from 'react';
import { call, endpoint } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { missingSettings } from '../../components/schema-form/missing-settings.ts';
import { SchemaForm } from '../../components/schema-form/SchemaForm.tsx';

export interface NoCodeSettingsFormProps {
  readonly pipeline: string;
  readonly kind: 'dedupe' | 'prepare' | 'examples';
  /** The block as the pipeline file names it: a review or side block edits the block it comes from. */
  readonly declaredName: string;
  /** What the selected block is, when it is not the block written in the file (its review pairs, its train rows). */
  readonly note?: string | undefined;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly onSaved: () => void;
  readonly onError: (error: Error) => void;
}

/** Where each kind's settings are saved: a kind without its own route would write under another kind's key. */
const saveRoutes = {
  dedupe: 'PUT /api/pipelines/:name/blocks/:block/dedupe',
  prepare: 'PUT /api/pipelines/:name/blocks/:block/prepare',
  examples: 'PUT /api/pipelines/:name/blocks/:block/examples',
} as const satisfies Record<NoCodeSettingsFormProps['kind'], string>;

/**
 * The settings under a block's `dedupe:`, `prepare:` or `examples:` as a form generated from
 * their JSON Schema, nested settings (a split, each column's similarity or
 * scaler) as fields of their own. Saving writes them into the pipeline file;
 * the server checks them as the block's run would.
 */
export function NoCodeSettingsForm({ pipeline, kind, declaredName, note, settings, onSaved, onError }: NoCodeSettingsFormProps) {
  const schema = useApi(endpoint('GET /api/no-code-blocks')).data?.blocks[kind].settings;
  const [value, setValue] = useState<Record<string, unknown>>({ ...settings });
  const [saving, setSaving] = useState(false);
  const dirty = JSON.stringify(value) !== JSON.stringify(settings);
  const missing = missingSettings(schema, value);
  const save = () => {
    setSaving(true);
    call(saveRoutes[kind], { params: { name: pipeline, block: declaredName }, body: { settings: value } }).then(onSaved, onError).finally(() => setSaving(false));
  };
  return (
    <div className="block-settings" data-testid={`${kind}-form`}>
      {note && <p className="muted small" data-testid={`${kind}-form-note`}>{note}</p>}
      {schema ? <SchemaForm schema={schema} value={value} onChange={setValue} testIdPrefix={`${kind}-setting`} nested /> : <div className="loading">Loading the settings…</div>}
      {missing.length > 0 && <p className="muted small" data-testid={`${kind}-form-missing`}>Still needed: {missing.join(', ')}.</p>}
      <div className="form-actions">
        <button type="button" className="button small primary" disabled={!dirty || missing.length > 0 || saving} onClick={save} data-testid={`save-${kind}`}>Save settings</button>
      </div>
    </div>
  );
}
