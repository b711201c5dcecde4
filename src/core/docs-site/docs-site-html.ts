/** Text made safe to place in HTML, in an element or a quoted attribute. */
export function escapeHtml(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A file name for a page about `name`: only safe characters, and a short hash
 * of the whole name so two names that read alike after cleaning stay apart.
 */
export function pageSlug(kind: string, name: string): string {
  let hash = 2166136261;
  for (const c of name) hash = Math.imul(hash ^ c.codePointAt(0)!, 16777619) >>> 0;
  const clean = name.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_').slice(0, 60);
  return `${kind}-${clean}-${hash.toString(36)}.html`;
}

/** One page of the site: a title, the links back and the body, already escaped by its maker. */
export function page(title: string, body: string, projectName: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(projectName)}</title>
<link rel="stylesheet" href="site.css"></head>
<body><header><a href="index.html">${escapeHtml(projectName)}</a>
<input id="search" type="search" placeholder="Search pipelines, blocks, tables, columns" aria-label="Search" autocomplete="off">
<ul id="results" hidden></ul></header>
<main>${body}</main>
<script src="search-index.js"></script><script src="search.js"></script></body></html>
`;
}

/** A table of rows of already escaped cells. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  if (!rows.length) return '<p class="none">None.</p>';
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}
