import { useState } from 'react';

/** Runs the pipeline once per file that arrives (or is rewritten) in a folder: `on_file: { path: incoming/*.csv }`. */
export function FileTriggerEditor({ pipeline, saved, put }: { pipeline: string; saved: string; put: (body: Record<string, unknown>) => Promise<boolean> }) {
  const [typed, setTyped] = useState<string>();
  const value = typed ?? saved;
  const write = (path: string) =>
    void put({ on_file: path ? { path } : null }).then((ok) => {
      if (ok) setTyped(undefined);
    });
  return (
    <form className="sched-file" onSubmit={(e) => { e.preventDefault(); write(value.trim()); }}>
      <label className="field">
        <span>When a file arrives</span>
        <div className="field-row">
          <input className="mono" value={value} placeholder="incoming/*.csv (empty: off)" onChange={(e) => setTyped(e.target.value)} data-testid={`on-file-input-${pipeline}`} />
          <button type="submit" className="button small" disabled={value.trim() === saved} data-testid={`on-file-save-${pipeline}`}>Save</button>
        </div>
      </label>
      <p className="muted small">
        {saved ? <>Runs once per file matching <code>{saved}</code>, with its path in the variable <code>trigger_file</code>; a rewritten file runs again.</> : 'A folder and a file name pattern (* and ?), relative to the project.'}
      </p>
    </form>
  );
}
