import { useState } from 'react';
import { createPortal } from 'react-dom';
import { FilePicker } from './FilePicker.tsx';

/** "Browse…" beside a setting that is a project path: opens the file picker and fills the field. */
export function BrowseButton({ value, onPick, testId }: { value: string; onPick: (path: string) => void; testId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="button small" onClick={() => setOpen(true)} title="Choose a file of the project" data-testid={testId}>
        Browse…
      </button>
      {/* Out of the field's label and the dialog around it, so clicks in the picker are not the label's. */}
      {open && createPortal(
        <FilePicker
          value={value}
          testId={`${testId}-picker`}
          onClose={() => setOpen(false)}
          onPick={(path) => {
            setOpen(false);
            onPick(path);
          }}
        />,
        document.body,
      )}
    </>
  );
}
