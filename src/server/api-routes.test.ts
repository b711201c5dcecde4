import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { apiRoutes, type ApiRoutes } from './api-routes.ts';
import type { AppDependencies } from './app-context.ts';
import { createApp } from './create-app.ts';
import { registeredRoutes } from './registered-routes.ts';
import type { RunDetail } from './routes/run-routes.ts';

/** Building the app only registers its routes; no handler runs, so the parts a handler would use are left empty. */
const app = createApp({ root: '.', stateDir: '.sluice', token: 'unused', connectors: new Map(), store: {} } as unknown as AppDependencies);
/** The JSON API's routes: /metrics is the Prometheus text format, for scrapers, outside /api. */
const routes = registeredRoutes(app).filter((route) => route.split(' ')[1]!.startsWith('/api'));

// Compile-time checks, failing the typecheck: the table keeps each route's types, and a key is `METHOD /api/...`.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const keepsAnswers: Equal<ApiRoutes['GET /api/runs/:id']['response'], RunDetail> = true;
const keysAreRoutes: keyof ApiRoutes extends `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} /api${string}` ? true : false = true;

describe('the API route table', () => {
  it('has an entry for every route the app registers under /api', () => {
    assert.ok(keepsAnswers && keysAreRoutes);
    assert.ok(routes.length > 80, `the app registers its routes (found ${routes.length})`);
    const typed = new Set(Object.keys(apiRoutes));
    const missing = routes.filter((route) => !typed.has(route));
    assert.deepEqual(missing, [], `api-routes.ts has no entry for: ${missing.join(', ')}`);
  });

  it('names no route the app does not register', () => {
    const known = new Set(routes);
    const stale = Object.keys(apiRoutes).filter((route) => !known.has(route));
    assert.deepEqual(stale, [], `api-routes.ts names routes the app does not register: ${stale.join(', ')}`);
  });
});

describe('every handler answers through its own entry of the table', () => {
  const files = [...readdirSync(path.join(import.meta.dirname, 'routes')).map((f) => path.join('routes', f)), 'session-auth.ts', 'create-app.ts', path.join('users', 'oidc-routes.ts')].filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

  it('types each JSON answer by the key of the route that registers it', () => {
    let checked = 0;
    for (const file of files) {
      const text = readFileSync(path.join(import.meta.dirname, file), 'utf8');
      let registered: string | undefined;
      for (const match of text.matchAll(/\bapp\.(get|post|put|patch|delete)\(\s*'([^']+)'|\banswer\(c, '([^']+)'|\bc\.json\(/g)) {
        if (match[1]) registered = `${match[1].toUpperCase()} ${match[2]!.startsWith('/api') ? '' : '/api'}${match[2]}`;
        else if (match[3]) {
          assert.equal(match[3], registered, `${file}: an answer of ${registered} is typed as ${match[3]}`);
          checked++;
        } else {
          const line = text.slice(match.index, text.indexOf('\n', match.index));
          assert.match(line, /error: \{ code:/, `${file}: a JSON answer bypasses answer(): ${line.trim()}`);
        }
      }
    }
    assert.ok(checked > 80, `${checked} answers checked`);
  });
});
