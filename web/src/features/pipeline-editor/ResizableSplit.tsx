import { useCallback, useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';

const storageKey = 'sluice.editor.split';
const defaultShare = 44;
/** Neither side gets narrower than this share of the page, so both stay usable. */
const minShare = 20;
const maxShare = 80;

function storedShare(): number {
  const stored = Number(window.localStorage.getItem(storageKey));
  return stored >= minShare && stored <= maxShare ? stored : defaultShare;
}

const clamp = (share: number) => Math.min(maxShare, Math.max(minShare, share));

/**
 * Two panes side by side with a handle between them: drag it, or focus it and
 * use the arrow keys. The width is remembered in this browser for every pipeline.
 */
export function ResizableSplit({ left, right }: { left: ReactNode; right: ReactNode }) {
  const [share, setShare] = useState(storedShare);
  const box = useRef<HTMLDivElement>(null);
  const keep = useCallback((next: number) => {
    const value = Math.round(clamp(next) * 10) / 10;
    setShare(value);
    window.localStorage.setItem(storageKey, String(value));
  }, []);

  const startDrag = (event: PointerEvent<HTMLDivElement>) => {
    const handle = event.currentTarget;
    handle.setPointerCapture(event.pointerId);
    const move = (e: globalThis.PointerEvent) => {
      const rect = box.current?.getBoundingClientRect();
      if (rect?.width) keep(((e.clientX - rect.left) / rect.width) * 100);
    };
    const end = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', end);
      handle.removeEventListener('pointercancel', end);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
  };
  const onKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = event.key === 'ArrowLeft' ? -2 : event.key === 'ArrowRight' ? 2 : 0;
    if (!step) return;
    event.preventDefault();
    keep(share + step);
  };

  return (
    <div className="editor-split" ref={box} style={{ gridTemplateColumns: `${share}% 6px minmax(0, 1fr)` }}>
      {left}
      <div
        className="split-handle"
        role="separator"
        aria-orientation="vertical"
        aria-label="Resize the canvas and the editor"
        aria-valuenow={share}
        aria-valuemin={minShare}
        aria-valuemax={maxShare}
        tabIndex={0}
        title="Drag to resize (or focus and use ← →)"
        onPointerDown={startDrag}
        onKeyDown={onKey}
        data-testid="split-handle"
      />
      {right}
    </div>
  );
}
