import { useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import { CommandPalette } from '../palette/CommandPalette.tsx';
import { keyCaps, pressed, shortcuts, typingIn } from './shortcut-registry.ts';
import { ShortcutsOverlay } from './ShortcutsOverlay.tsx';

type Open = 'palette' | 'help' | undefined;

/**
 * The shortcuts that work on every signed-in page, the command palette and
 * the `?` overlay, with a search button in the navigation for the mouse.
 */
export function GlobalKeys() {
  const [open, setOpen] = useState<Open>();
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      if (pressed(event, 'palette')) {
        // Also from inside a field or the code editor: that is where the hands are.
        event.preventDefault();
        setOpen((now) => (now === 'palette' ? undefined : 'palette'));
      } else if (pressed(event, 'help') && !typingIn(event.target)) {
        event.preventDefault();
        setOpen('help');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const close = () => setOpen(undefined);
  return (
    <>
      <button type="button" className="nav-link nav-button look-search-button" onClick={() => setOpen('palette')} data-testid="open-palette">
        <span className="nav-icon" aria-hidden="true">⌕</span>
        Search
        <span className="look-search-keys">{keyCaps(shortcuts.palette.keys[0]).join('+')}</span>
      </button>
      {/* Over the page, not inside the navigation that holds the button (and would lend its colours). */}
      {open === 'palette' && createPortal(<CommandPalette onClose={close} />, document.body)}
      {open === 'help' && createPortal(<ShortcutsOverlay onClose={close} />, document.body)}
    </>
  );
}
