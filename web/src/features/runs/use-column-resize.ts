import { useState, type PointerEvent } from 'react';

const minWidth = 48;

/** Column widths set by dragging a header's right edge; columns not dragged keep their natural width. */
export function useColumnResize(): { widths: Record<string, number>; startResize: (column: string, event: PointerEvent<HTMLElement>) => void } {
  const [widths, setWidths] = useState<Record<string, number>>({});
  const startResize = (column: string, event: PointerEvent<HTMLElement>) => {
    event.preventDefault();
    event.stopPropagation();
    const header = event.currentTarget.parentElement;
    const startX = event.clientX;
    const startWidth = header?.getBoundingClientRect().width ?? minWidth;
    const move = (e: globalThis.PointerEvent) => setWidths((w) => ({ ...w, [column]: Math.max(minWidth, Math.round(startWidth + e.clientX - startX)) }));
    const up = (e: globalThis.PointerEvent) => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      // The click that ends a drag lands on the header, whose click sorts: swallow that one click.
      if (e.clientX !== startX) window.addEventListener('click', (click) => click.stopPropagation(), { capture: true, once: true });
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  return { widths, startResize };
}
