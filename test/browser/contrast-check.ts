import type { Page } from 'playwright-core';

export interface LowContrast {
  readonly text: string;
  readonly ratio: number;
  readonly color: string;
  readonly background: string;
}

/**
 * Runs in the page: every visible element that holds text of its own, its
 * text colour against the first opaque background behind it, as the WCAG
 * contrast ratio. Faded (disabled) elements are left out: they are meant to
 * recede. Written as a string because the test compiles without the DOM types.
 */
const measure = `(() => {
  const parse = (css) => { const m = css.match(/rgba?\\(([^)]+)\\)/); if (!m) return undefined; const [r, g, b, a = '1'] = m[1].split(/[ ,/]+/).filter(Boolean); return [Number(r), Number(g), Number(b), Number(a)]; };
  const lum = ([r, g, b]) => { const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const backdrop = (el) => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c[3] >= 0.95) return c; } return parse(getComputedStyle(document.documentElement).backgroundColor) ?? [255, 255, 255, 1]; };
  const faded = (el) => { for (let e = el; e; e = e.parentElement) { if (Number(getComputedStyle(e).opacity) < 1 || e.disabled) return true; } return false; };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || faded(el)) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || box.bottom < 0 || box.top > innerHeight) continue;
    const color = parse(getComputedStyle(el).color);
    const bg = backdrop(el);
    if (!color) continue;
    const [hi, lo] = [lum(color), lum(bg)].sort((a, b) => b - a);
    out.push({ text: el.textContent.trim().slice(0, 40), ratio: Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100, color: getComputedStyle(el).color, background: 'rgb(' + bg.slice(0, 3).join(', ') + ')' });
  }
  return out;
})()`;

/** The text on screen whose contrast is below `floor`, and the lowest ratio found. */
export async function lowContrast(page: Page, floor: number): Promise<{ low: LowContrast[]; lowest: number; measured: number }> {
  const all = (await page.evaluate(measure)) as LowContrast[];
  return { low: all.filter((m) => m.ratio < floor), lowest: Math.min(...all.map((m) => m.ratio)), measured: all.length };
}
