import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { apiRoutes } from './api-routes.ts';
import type { AppDependencies } from './app-context.ts';
import { createApp } from './create-app.ts';
import { registeredRoutes } from './registered-routes.ts';

const docs = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
const methods = 'GET|POST|PUT|PATCH|DELETE';

/**
 * Every route the app registers, as `METHOD /path`. Building the app only
 * registers its routes; no handler runs, so the parts a handler would use
 * (the run store, the data plane) are left out or empty.
 */
function appRoutes(): string[] {
  const deps = { root: '.', stateDir: '.sluice', token: 'unused', connectors: new Map(), store: {} } as unknown as AppDependencies;
  return registeredRoutes(createApp(deps));
}

/** The routes a table row of docs/api.md starts with: `| \`GET /api/runs?limit\` | ...`. */
function documentedRoutes(): string[] {
  const rows = docs.split('\n').filter((line) => line.startsWith('| `'));
  return rows.flatMap((row) => {
    const found = new RegExp(`^\\| \`(${methods}) (/[^\`\\s?]*)`).exec(row);
    return found ? [`${found[1]} ${found[2]}`] : [];
  });
}

/** Each table row's route with the query parameters it writes after `?`: `GET /api/runs?pipeline&limit` gives pipeline, limit. */
function documentedQueries(): Map<string, string[]> {
  const rows = docs.split('\n').filter((line) => line.startsWith('| `'));
  return new Map(
    rows.flatMap((row) => {
      const found = new RegExp(`^\\| \`(${methods}) (/[^\`\\s?]*)(?:\\?([^\`\\s]*))?\``).exec(row);
      return found ? [[`${found[1]} ${found[2]}`, found[3] ? found[3].split('&').map((part) => part.split('=')[0]!) : []] as const] : [];
    }),
  );
}

/** Every `METHOD /path` written anywhere in docs/api.md, prose included. */
function mentionedRoutes(): string[] {
  return [...docs.matchAll(new RegExp(`\`(${methods}) (/[^\`\\s?]*)`, 'g'))].map((m) => `${m[1]} ${m[2]}`);
}

describe('docs/api.md', () => {
  const routes = appRoutes();

  it('documents every route the server registers, in a table row of its own', () => {
    assert.ok(routes.length > 50, `the app registers its routes (found ${routes.length})`);
    const documented = new Set(documentedRoutes());
    const missing = routes.filter((route) => !documented.has(route));
    assert.deepEqual(missing, [], `docs/api.md has no row for: ${missing.join(', ')}`);
  });

  it('documents no route the server does not have', () => {
    const known = new Set(routes);
    const stale = [...new Set(mentionedRoutes())].filter((route) => !known.has(route));
    assert.deepEqual(stale, [], `docs/api.md names routes the server does not register: ${stale.join(', ')}`);
  });

  it("writes each route's query parameters in its row, as the route table names them", () => {
    const documented = documentedQueries();
    const wrong = Object.entries(apiRoutes).flatMap(([route, entry]) => {
      const written = documented.get(route);
      if (!written) return [];
      const named = [...entry.query].sort();
      return named.join('&') === [...written].sort().join('&') ? [] : [`${route}: docs/api.md has ?${written.join('&')}, the route takes ?${entry.query.join('&')}`];
    });
    assert.ok(documented.get('GET /api/run-list')?.includes('backfill'), 'the rows are read with their query parameters');
    assert.deepEqual(wrong, [], `rows whose query parameters differ from the route's:\n${wrong.join('\n')}`);
  });

  it('gives each route one row', () => {
    const seen = new Map<string, number>();
    for (const route of documentedRoutes()) seen.set(route, (seen.get(route) ?? 0) + 1);
    const twice = [...seen].filter(([, count]) => count > 1).map(([route]) => route);
    assert.deepEqual(twice, [], `docs/api.md has more than one row for: ${twice.join(', ')}`);
  });
});
