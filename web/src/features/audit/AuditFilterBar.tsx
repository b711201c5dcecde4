import { useEffect, useState } from 'react';
import { auditAreas, type AuditFilters } from './audit-filters.ts';

/** The audit page's filters. Text filters apply on Enter or when the field is left, not at every key. */
export function AuditFilterBar({ filters, onChange }: { filters: AuditFilters; onChange: (next: AuditFilters) => void }) {
  const set = (key: keyof AuditFilters, value: string) => {
    if (value !== filters[key]) onChange({ ...filters, [key]: value });
  };
  return (
    <form className="filters" onSubmit={(e) => e.preventDefault()} data-testid="audit-filters">
      <TextFilter label="Actor" value={filters.actor} placeholder="token, session:…, cli:…" onApply={(v) => set('actor', v)} testId="audit-filter-actor" />
      <label>
        Action
        <select value={filters.action} onChange={(e) => set('action', e.target.value)} data-testid="audit-filter-action">
          <option value="">all</option>
          {auditAreas.map((a) => <option key={a} value={a}>{a}</option>)}
        </select>
      </label>
      <TextFilter label="Target starts with" value={filters.target} placeholder="blocks/, daily/, a connection" onApply={(v) => set('target', v)} testId="audit-filter-target" />
      <label>
        From
        <input type="date" value={filters.since} onChange={(e) => set('since', e.target.value)} data-testid="audit-filter-since" />
      </label>
      <label>
        To
        <input type="date" value={filters.until} onChange={(e) => set('until', e.target.value)} data-testid="audit-filter-until" />
      </label>
    </form>
  );
}

function TextFilter({ label, value, placeholder, onApply, testId }: { label: string; value: string; placeholder: string; onApply: (value: string) => void; testId: string }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <label>
      {label}
      <input
        value={text}
        placeholder={placeholder}
        onChange={(e) => setText(e.target.value)}
        onBlur={() => onApply(text.trim())}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onApply(text.trim());
        }}
        data-testid={testId}
      />
    </label>
  );
}
