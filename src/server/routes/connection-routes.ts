import { Hono } from 'hono';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.ts';
import { deleteConnection, listConnections, saveConnection } from '../../workspace/connections-file.ts';
import type { AppDependencies } from '../app-context.ts';
import { loadProject } from '../../core/project/load-project.ts';
import { warehouseConnectionName } from '../../core/project/connection-spec.ts';
import { checkConnection, checkConnectionSpec } from '../connection-check.ts';
import { draftConnectionSpec } from '../connection-draft.ts';
import { parseBody } from '../http-problem.ts';
import { noteAudit, type AuditNote } from '../audit/audit-trail.ts';
import { roleAtLeast } from '../../core/run-store/user-store.ts';
import type { ConnectionView } from '../../workspace/connections-file.ts';
import { answer } from '../route-answer.ts';

const connectionBody = z
  .object({
    name: z.string().optional(),
    connector: z.string().min(1),
    settings: z.record(z.string(), z.unknown()).default({}),
    secrets: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(10_000)).optional(),
  })
  .strict();

/** What `POST /api/connections`, `PUT /api/connections/:name` and `POST /api/connections/test` take. */
export type ConnectionRequest = z.input<typeof connectionBody>;

/** Connections in connections.yaml; secret values are write-only (kept in .sluice/secrets.env). */
export function connectionRoutes(deps: AppDependencies): Hono {
  const app = new Hono();
  const knownConnector = (connector: string): void => {
    if (!deps.connectors.has(connector)) throw new ConfigError('connection.unknown_connector', `'${connector}' is not a connector (known: ${[...deps.connectors.keys()].join(', ')})`);
  };

  app.get('/connections', (c) =>
    answer(c, 'GET /api/connections', {
      connections: roleAtLeast(c.get('principal').role, 'editor') ? listConnections(deps.root, deps.stateDir) : listConnections(deps.root, deps.stateDir).map(hideSecretSources),
      // Every project has it; it is shown so people know what `warehouse` in a block means.
      builtin: [{ name: warehouseConnectionName, connector: 'duckdb', settings: { path: loadProject(deps.root).settings.warehouse } }],
    }),
  );

  // Tests the form's values before they are saved: nothing is written.
  app.post('/connections/test', async (c) => {
    const body = await parseBody(c, connectionBody);
    knownConnector(body.connector);
    const project = loadProject(deps.root);
    noteAudit(c, false);
    return answer(c, 'POST /api/connections/test', await checkConnectionSpec(project, deps.connectors, draftConnectionSpec(project, body.name?.trim() || 'unsaved', body)));
  });

  app.post('/connections', async (c) => {
    const body = await parseBody(c, connectionBody);
    if (!body.name) throw new ConfigError('api.bad_body', 'name: a connection needs a name');
    knownConnector(body.connector);
    saveConnection(deps.root, deps.stateDir, body.name, body, 'create');
    const connection = savedConnection(deps, body.name);
    noteAudit(c, connectionNote('connection.create', body.name, connection, body.secrets));
    return answer(c, 'POST /api/connections', { connection }, 201);
  });

  app.put('/connections/:name', async (c) => {
    const body = await parseBody(c, connectionBody);
    const name = c.req.param('name');
    if (body.name && body.name !== name) throw new ConfigError('api.bad_body', 'name: a connection is renamed by adding the new one and deleting the old');
    knownConnector(body.connector);
    saveConnection(deps.root, deps.stateDir, name, body, 'update');
    const connection = savedConnection(deps, name);
    noteAudit(c, connectionNote('connection.update', name, connection, body.secrets));
    return answer(c, 'PUT /api/connections/:name', { connection });
  });

  app.delete('/connections/:name', (c) => {
    deleteConnection(deps.root, deps.stateDir, c.req.param('name'));
    noteAudit(c, { action: 'connection.delete', target: c.req.param('name') });
    return answer(c, 'DELETE /api/connections/:name', { deleted: c.req.param('name') });
  });

  app.post('/connections/:name/test', async (c) => {
    noteAudit(c, false);
    return answer(c, 'POST /api/connections/:name/test', await checkConnection(deps.root, deps.connectors, c.req.param('name')));
  });

  return app;
}

/**
 * A saved connection as the audit log keeps it: the settings as the
 * connections list shows them, secrets masked, and the names of the secrets
 * set, never their values.
 */
function connectionNote(action: 'connection.create' | 'connection.update', name: string, saved: ReturnType<typeof listConnections>[number] | undefined, secrets: Record<string, string> | undefined): AuditNote {
  return { action, target: name, detail: { connector: saved?.connector, settings: saved?.settings, secretsSet: Object.keys(secrets ?? {}) } };
}

/**
 * Below the editor role a secret-backed setting says only whether it is set:
 * not even which variables or secrets file entries hold it.
 */
export function hideSecretSources(connection: ConnectionView): ConnectionView {
  const hide = (settings: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(settings).map(([key, value]) => {
        if (!value || typeof value !== 'object' || Array.isArray(value)) return [key, value];
        const secret = (value as { secret?: { set?: boolean } }).secret;
        return [key, secret ? { secret: { set: Boolean(secret.set) } } : hide(value as Record<string, unknown>)];
      }),
    );
  return { ...connection, settings: hide(connection.settings) };
}

/** The connection just saved, as the list shows it; one that did not land (a name the list cannot show) is an error, never an empty answer. */
function savedConnection(deps: AppDependencies, name: string): ConnectionView {
  const connection = listConnections(deps.root, deps.stateDir).find((x) => x.name === name);
  if (!connection) throw new ConfigError('connection.not_found', `connection '${name}' was saved but does not list; check connections.yaml`);
  return connection;
}
