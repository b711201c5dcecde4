/** The JSON files a block run kept with the run (a prepare block's fitted parameters), each folded under its name. */
export function RunFiles({ files }: { files: Readonly<Record<string, unknown>> }) {
  const names = Object.keys(files);
  if (!names.length) return null;
  return (
    <div className="run-files" data-testid="run-files">
      {names.map((name) => (
        <details key={name} data-testid={`run-file-${name}`}>
          <summary className="small">{name}</summary>
          <pre className="small">{JSON.stringify(files[name], null, 2)}</pre>
        </details>
      ))}
    </div>
  );
}
