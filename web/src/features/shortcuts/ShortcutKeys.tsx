import { Fragment } from 'react';
import { keyCaps } from './shortcut-registry.ts';

/** One key combination as key caps: <kbd>Shift</kbd>+<kbd>Ctrl</kbd>+<kbd>Enter</kbd>. */
export function ShortcutKeys({ keys }: { keys: string }) {
  return (
    <>
      {keyCaps(keys).map((cap, i) => (
        <Fragment key={i}>
          {i > 0 && '+'}
          <kbd>{cap}</kbd>
        </Fragment>
      ))}
    </>
  );
}
