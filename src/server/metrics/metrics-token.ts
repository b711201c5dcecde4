import { ConfigError } from '../../core/errors.ts';
import { fillEnv } from '../../core/project/fill-env.ts';
import type { Project } from '../../core/project/load-project.ts';

/** The scrapers' token from sluice.yaml `metrics.token`, its `${ENV}` read; undefined when none is set. */
export function metricsToken(project: Project): string | undefined {
  const token = project.settings.metrics?.token;
  if (!token) return undefined;
  return fillEnv({ token }, (name) => new ConfigError('metrics.env_missing', `metrics.token in sluice.yaml needs the environment variable ${name}, which is not set`)).token;
}
