import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { resolveConnectionSettings } from './load-project.ts';
import { formatSecretsFile, readSecretsFile, secretsFilePath } from './secrets-file.ts';

describe('the secrets file', () => {
  it('round-trips values with spaces, quotes and line breaks', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-secrets-'));
    try {
      const secrets = { PLAIN: 'abc123', SPACED: 'a b', QUOTED: 'say "hi"\nbye', HASH: '#x' };
      writeFileSync(secretsFilePath(dir), formatSecretsFile(secrets));
      assert.deepEqual(readSecretsFile(dir), secrets);
      assert.deepEqual(readSecretsFile(path.join(dir, 'none')), {});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fills ${NAME} from the secrets file when the environment has no NAME', () => {
    const spec = { name: 'pg', connector: 'postgres', settings: { password: '${SLUICE_PG_PASSWORD}', user: '${PGUSER_X}' }, declaredAt: { file: 'connections.yaml' }, secrets: { SLUICE_PG_PASSWORD: 'from-file', PGUSER_X: 'file-user' } };
    assert.deepEqual(resolveConnectionSettings(spec, { PGUSER_X: 'env-user' }), { password: 'from-file', user: 'env-user' });
  });
});
