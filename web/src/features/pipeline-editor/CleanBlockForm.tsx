import { useState } from 'react';
import { call, endpoint } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import type { Column } from '@sluice/api';
import { SchemaForm } from '../../components/schema-form/SchemaForm.tsx';

interface CleanRow {
  readonly column: string;
  readonly tool: string;
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface CleanBlockFormProps {
  readonly pipeline: string;
  readonly block: string;
  /** Its columns as the pipeline file has them: each column to `{ tool, ...settings }`. */
  readonly columns: Readonly<Record<string, unknown>>;
  /** The columns of the block's last output, offered when picking a column. */
  readonly knownColumns: readonly Column[] | undefined;
  readonly onSaved: () => void;
  readonly onError: (error: Error) => void;
}

function rowsOf(columns: Readonly<Record<string, unknown>>): CleanRow[] {
  return Object.entries(columns).map(([column, spec]) => {
    const { tool, ...settings } = (spec ?? {}) as { tool?: unknown };
    return { column, tool: typeof tool === 'string' ? tool : '', settings };
  });
}

/**
 * The columns of a no-code clean block: for each, the column, the tool and the
 * tool's settings in a form generated from its JSON Schema, so a tool added to
 * the toolkit gets its form without UI code. Saving writes `clean:` in the pipeline file.
 */
export function CleanBlockForm({ pipeline, block, columns, knownColumns, onSaved, onError }: CleanBlockFormProps) {
  const tools = useApi(endpoint('GET /api/clean-tools')).data?.tools ?? [];
  const [rows, setRows] = useState<CleanRow[]>(() => rowsOf(columns));
  const [saving, setSaving] = useState(false);
  const dirty = JSON.stringify(rows) !== JSON.stringify(rowsOf(columns));
  const names = rows.map((r) => r.column.trim());
  const problem = names.some((n) => !n)
    ? 'Every row needs a column.'
    : new Set(names).size !== names.length
      ? 'A column is named twice.'
      : rows.some((r) => !r.tool) ? 'Every column needs a tool.' : undefined;
  // The output's own flag and reason columns are not for cleaning again.
  const suggestions = (knownColumns ?? []).map((c) => c.name).filter((n) => !/_(flag|reason)$/.test(n));

  const change = (i: number, next: Partial<CleanRow>) => setRows((current) => current.map((row, at) => (at === i ? { ...row, ...next } : row)));
  const save = () => {
    setSaving(true);
    const body = Object.fromEntries(rows.map((r) => [r.column.trim(), { tool: r.tool, ...r.settings }]));
    call('PUT /api/pipelines/:name/blocks/:block/clean', { params: { name: pipeline, block }, body: { columns: body } }).then(onSaved, onError).finally(() => setSaving(false));
  };

  return (
    <div className="block-settings clean-form" data-testid="clean-form">
      <datalist id="clean-known-columns">{suggestions.map((name) => <option key={name} value={name} />)}</datalist>
      {rows.map((row, i) => (
        <fieldset className="clean-column" key={i} data-testid={`clean-column-${i}`}>
          <div className="schema-form">
            <label className="field">
              <span className="field-label">Column<span className="required" title="required">*</span></span>
              <input value={row.column} list="clean-known-columns" spellCheck={false} onChange={(e) => change(i, { column: e.target.value })} data-testid={`clean-column-name-${i}`} />
            </label>
            <label className="field">
              <span className="field-label">Tool<span className="required" title="required">*</span></span>
              {/* Another tool takes other settings, so a change of tool starts them afresh. */}
              <select value={row.tool} onChange={(e) => change(i, { tool: e.target.value, settings: {} })} data-testid={`clean-tool-${i}`}>
                {!tools.some((t) => t.name === row.tool) && <option value={row.tool}>{row.tool || 'pick a tool'}</option>}
                {tools.map((t) => <option key={t.name} value={t.name}>{t.name}</option>)}
              </select>
            </label>
          </div>
          <SchemaForm
            key={row.tool}
            schema={tools.find((t) => t.name === row.tool)?.settings}
            value={row.settings}
            onChange={(settings) => change(i, { settings })}
            testIdPrefix={`clean-setting-${i}`}
            primary={() => true}
            emptyNote="This tool takes no settings."
          />
          <div className="form-actions">
            <button type="button" className="button small" onClick={() => setRows((current) => current.filter((_, at) => at !== i))} data-testid={`clean-remove-${i}`}>Remove column</button>
          </div>
        </fieldset>
      ))}
      {problem && <p className="muted small" data-testid="clean-form-problem">{problem}</p>}
      <div className="form-actions">
        <button type="button" className="button small" onClick={() => setRows((current) => [...current, { column: '', tool: tools[0]?.name ?? '', settings: {} }])} data-testid="clean-add-column">Add column</button>
        <button type="button" className="button small primary" disabled={!dirty || !!problem || saving} onClick={save} data-testid="save-clean">Save columns</button>
      </div>
    </div>
  );
}
