import type { Block } from '../pipeline/pipeline.ts';
import { escapeHtml } from './docs-site-html.ts';

const boxWidth = 170;
const boxHeight = 34;
const columnGap = 60;
const rowGap = 16;

/**
 * A pipeline's blocks as an inline SVG: one column per depth (a block sits
 * right of everything it reads), an arrow per upstream edge, each box a link
 * to its block's page.
 */
export function dagSvg(blocks: readonly Block[], href: (block: string) => string): string {
  const depth = new Map<string, number>();
  for (const block of blocks) depth.set(block.name, Math.max(-1, ...block.upstream.map((u) => depth.get(u) ?? -1)) + 1);
  const rows = new Map<number, number>();
  const at = new Map<string, { x: number; y: number }>();
  for (const block of blocks) {
    const d = depth.get(block.name)!;
    const row = rows.get(d) ?? 0;
    rows.set(d, row + 1);
    at.set(block.name, { x: 10 + d * (boxWidth + columnGap), y: 10 + row * (boxHeight + rowGap) });
  }
  const width = 20 + (Math.max(0, ...depth.values()) + 1) * (boxWidth + columnGap) - columnGap;
  const height = 20 + Math.max(1, ...rows.values()) * (boxHeight + rowGap) - rowGap;
  const edges = blocks.flatMap((block) =>
    block.upstream.flatMap((u) => {
      const from = at.get(u);
      const to = at.get(block.name)!;
      if (!from) return [];
      return [`<line x1="${from.x + boxWidth}" y1="${from.y + boxHeight / 2}" x2="${to.x}" y2="${to.y + boxHeight / 2}" stroke="#889" marker-end="url(#arrow)"/>`];
    }),
  );
  const boxes = blocks.map((block) => {
    const { x, y } = at.get(block.name)!;
    const label = block.name.length > 22 ? `${block.name.slice(0, 21)}…` : block.name;
    return `<a href="${escapeHtml(href(block.name))}"><title>${escapeHtml(`${block.name} (${block.role})`)}</title><rect x="${x}" y="${y}" width="${boxWidth}" height="${boxHeight}" rx="5" fill="#eef2fb" stroke="#5a6a9a"/><text x="${x + 8}" y="${y + 21}">${escapeHtml(label)}</text></a>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="blocks and their dependencies"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#889"/></marker></defs>${edges.join('')}${boxes.join('')}</svg>`;
}
