import type { Pipeline } from '../core/pipeline/pipeline.ts';
import type { Alert } from '../core/pipeline/alert-schema.ts';
import type { Project } from '../core/project/load-project.ts';
import { readSecretsFile } from '../core/project/secrets-file.ts';

/** The project's alert channels (sluice.yaml) followed by the pipeline's own. */
export function alertsOf(project: Pick<Project, 'settings'> | undefined, pipeline: Pick<Pipeline, 'alerts'>): readonly Alert[] {
  return [...(project?.settings.alerts ?? []), ...pipeline.alerts];
}

/**
 * Where an alert's `${NAME}` references are read: the environment, then
 * `.sluice/secrets.env`, where secrets typed in the web UI are kept.
 */
export function alertEnv(project: Pick<Project, 'stateDir'> | undefined, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return project ? { ...readSecretsFile(project.stateDir), ...env } : env;
}
