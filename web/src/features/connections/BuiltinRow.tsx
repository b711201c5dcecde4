import type { ConnectionView } from '@sluice/api';

/** The project's own warehouse: listed so people know what `warehouse` means, but not editable here. */
export function BuiltinRow({ connection }: { connection: ConnectionView }) {
  const path = typeof connection.settings.path === 'string' ? connection.settings.path : '';
  return (
    <tr data-testid={`connection-row-${connection.name}`} className="conn-builtin">
      <td className="strong">{connection.name} <span className="badge" title="Built in: every project has it">built-in</span></td>
      <td><span className="kind">{connection.connector}</span></td>
      <td colSpan={2} className="small">
        The project's embedded DuckDB warehouse at <code>{path}</code>, the default destination; blocks reach it as the connection <code>warehouse</code>.
        Set by <code>warehouse:</code> in <code>sluice.yaml</code>; it cannot be edited or removed here, and no other connection may take its name.
      </td>
      <td className="actions muted small">read-only</td>
    </tr>
  );
}
