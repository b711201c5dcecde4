import type { ConnectorRegistry } from '../core/connectors/connector.ts';
import { ConfigError } from '../core/errors.ts';
import { parseConnectionSettings } from '../core/connectors/parse-connection-settings.ts';
import { loadProject, type ConnectionSpec, type Project } from '../core/project/load-project.ts';
import { mask } from '../core/project/secrets.ts';

const checkTimeoutMs = 10_000;

/**
 * Connects with the connection's connector and runs a trivial query where the
 * connector takes one. Answers instead of throwing, with the message masked:
 * a failed test is a normal answer, not a server error.
 */
export async function checkConnection(root: string, connectors: ConnectorRegistry, name: string): Promise<ConnectionCheck> {
  const project = loadProject(root);
  const spec = project.connections.get(name);
  if (!spec) throw new ConfigError('connection.not_found', `no connection '${name}'`);
  return checkConnectionSpec(project, connectors, spec);
}

export interface ConnectionCheck {
  readonly ok: boolean;
  readonly message: string;
  readonly duration_ms: number;
}

/** Tests a connection as `spec` describes it, saved or not. */
export async function checkConnectionSpec(project: Project, connectors: ConnectorRegistry, spec: ConnectionSpec): Promise<ConnectionCheck> {
  const started = performance.now();
  const { name } = spec;
  const connector = connectors.get(spec.connector);
  if (!connector) throw new ConfigError('connection.unknown_connector', `connection '${name}' has connector '${spec.connector}', which is not one Sluice knows`);
  const answer = (ok: boolean, message: string) => ({ ok, message: mask(message), duration_ms: Math.round(performance.now() - started) });
  let settings: unknown;
  try {
    settings = parseConnectionSettings(spec, connector.connectionSchema);
  } catch (error) {
    return answer(false, (error as Error).message);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${checkTimeoutMs / 1000}s`)), checkTimeoutMs);
  });
  try {
    const connection = await Promise.race([connector.connect(settings, { name, projectRoot: project.root, warehousePath: project.warehousePath }), timeout]);
    try {
      if (connection.query) await Promise.race([connection.query('SELECT 1'), timeout]);
    } finally {
      await connection.close().catch(() => undefined);
    }
    return answer(true, `connected to '${name}' (${spec.connector})`);
  } catch (error) {
    return answer(false, `cannot connect to '${name}' (${spec.connector}): ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}
