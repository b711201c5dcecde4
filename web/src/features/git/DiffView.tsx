/** A unified diff as text, one coloured line at a time. */
export function DiffView({ diff }: { diff: string }) {
  const lines = diff.split('\n');
  return (
    <pre className="diff" data-testid="diff-view">
      {lines.map((line, i) => (
        <div key={i} className={line.startsWith('+++') || line.startsWith('---') ? 'diff-file' : line.startsWith('+') ? 'diff-add' : line.startsWith('-') ? 'diff-del' : line.startsWith('@@') ? 'diff-hunk' : ''}>
          {line || ' '}
        </div>
      ))}
    </pre>
  );
}
