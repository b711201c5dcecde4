/**
 * Marks a personal-data column whose values the server replaced by
 * `[masked]` for this role (docs/pii.md): editors and admins see the values.
 */
export function MaskedBadge({ column }: { column: string }) {
  return (
    <span className="badge badge-masked" title="Personal data: values are masked for your role" data-testid={`masked-${column}`}>
      masked
    </span>
  );
}
