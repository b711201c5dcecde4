import { enc } from '../../api/client.ts';
import { href } from '../../router.ts';
import { lineageLabel, type LineageData } from './lineage-types.ts';

/** The picked node: who writes and reads a table, or a block's columns and where each comes from. */
export function LineageDetails({ data, id, onFocus }: { data: LineageData; id: string | undefined; onFocus: (id: string) => void }) {
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const node = id === undefined ? undefined : byId.get(id);
  // The panel keeps its place when empty, so the graph beside it never changes width (and its fit).
  if (!node || id === undefined) {
    return (
      <aside className="lineage-details muted small" data-testid="lineage-details-empty">
        Click a table, file or block for who writes and reads it, or a block's columns and where each comes from.
      </aside>
    );
  }
  const label = (other: string) => (byId.get(other) ? lineageLabel(byId.get(other)!) : other);
  const from = data.edges.filter((e) => e.to === id).map((e) => e.from);
  const to = data.edges.filter((e) => e.from === id).map((e) => e.to);
  const columns = data.columns[id] ?? [];
  const notes = data.notes.filter((n) => n.node === id);
  return (
    <aside className="lineage-details" data-testid="lineage-details">
      <h2 className="lineage-details-title">{lineageLabel(node)}</h2>
      {node.kind === 'block' ? (
        <p className="small muted">
          {node.role} · {node.language} · <a href={href(`/pipelines/${enc(node.pipeline)}`)}>open {node.pipeline}</a>
        </p>
      ) : (
        <p className="small muted">
          {node.type} ·{' '}
          <button type="button" className="link" onClick={() => onFocus(id)} data-testid="lineage-focus">
            show only its lineage
          </button>
        </p>
      )}
      <NodeList title={node.kind === 'block' ? 'Reads' : 'Written by'} ids={from} label={label} testId="lineage-from" />
      <NodeList title={node.kind === 'block' ? 'Feeds' : 'Read by'} ids={to} label={label} testId="lineage-to" />
      {columns.length > 0 && (
        <>
          <h3 className="section-title">Columns</h3>
          <ul className="lineage-columns" data-testid="lineage-columns">
            {columns.map((c) => (
              <li key={c.name}>
                <code>{c.name}</code>
                <span className="muted"> ← {c.sources.length ? c.sources.map((s) => `${label(s.node)}.${s.column}`).join(', ') : 'computed'}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {notes.map((n) => (
        <p key={n.message} className="small muted">{n.message}</p>
      ))}
    </aside>
  );
}

function NodeList({ title, ids, label, testId }: { title: string; ids: readonly string[]; label: (id: string) => string; testId: string }) {
  if (!ids.length) return null;
  return (
    <>
      <h3 className="section-title">{title}</h3>
      <ul data-testid={testId}>
        {ids.map((id) => (
          <li key={id}>
            <code>{label(id)}</code>
          </li>
        ))}
      </ul>
    </>
  );
}
