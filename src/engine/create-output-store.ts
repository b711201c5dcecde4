import path from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { createLocalFolderOutputStore } from '../core/output-store/local-folder-output-store.ts';
import type { OutputStore } from '../core/output-store/output-store.ts';
import type { OutputStoreKind, OutputStoreSettings } from '../core/output-store/output-store-settings.ts';
import { createS3Client } from '../core/output-store/s3-client.ts';
import { createS3OutputStore } from '../core/output-store/s3-output-store.ts';
import type { Project } from '../core/project/load-project.ts';
import { fillEnv } from '../core/project/fill-env.ts';
import { readSecretsFile } from '../core/project/secrets-file.ts';
import { registerProjectSecrets } from '../core/project/register-project-secrets.ts';

type OutputStoreFactory<K extends OutputStoreKind> = (project: Project, settings: Extract<OutputStoreSettings, { store: K }>) => OutputStore;

/** One entry per `outputs: { store: ... }` in sluice.yaml; adding a store adds an entry. */
const outputStores: { [K in OutputStoreKind]: OutputStoreFactory<K> } = {
  local: (project) => createLocalFolderOutputStore(path.join(project.stateDir, 'outputs')),
  s3: (project, settings) => {
    const secrets = readSecretsFile(project.stateDir);
    const credentialSettings = { access_key_id: settings.access_key_id, secret_access_key: settings.secret_access_key, session_token: settings.session_token };
    // Masked from the start, so a block that prints one before any output is stored shows ***.
    registerProjectSecrets([{ settings: credentialSettings }], secrets);
    return createS3OutputStore({
      bucket: settings.bucket,
      prefix: settings.prefix,
      cacheDir: path.join(project.stateDir, 'output-cache'),
      cacheMaxBytes: settings.cache_mb * 2 ** 20,
      // Credentials are read on first use, so a command that never touches outputs needs none.
      client: () => {
        const credentials = fillEnv(
          credentialSettings,
          (name) => new ConfigError('outputs.env_missing', `sluice.yaml's outputs: (store: s3) needs the environment variable ${name}, which is not set`, { location: { file: 'sluice.yaml' } }),
          { ...secrets, ...process.env },
        );
        return createS3Client({
          endpoint: settings.endpoint,
          region: settings.region ?? process.env.AWS_REGION ?? 'us-east-1',
          forcePathStyle: settings.force_path_style,
          accessKeyId: credentials.access_key_id,
          secretAccessKey: credentials.secret_access_key,
          sessionToken: credentials.session_token || undefined,
          partSize: settings.part_size_mb * 2 ** 20,
        });
      },
    });
  },
};

/** The output store sluice.yaml's `outputs:` names (the project's local folder without one). */
export function createOutputStore(project: Project): OutputStore {
  const settings = project.settings.outputs;
  return (outputStores[settings.store] as OutputStoreFactory<OutputStoreKind>)(project, settings);
}
