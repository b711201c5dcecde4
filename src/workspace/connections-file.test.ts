import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { listConnections, saveConnection } from './connections-file.ts';

describe('saveConnection', () => {
  let root: string;
  let stateDir: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'sluice-connections-'));
    stateDir = path.join(root, '.sluice');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('keeps references to variables written by hand when the change leaves them out, as the UI does with masked values', () => {
    writeFileSync(
      path.join(root, 'connections.yaml'),
      ['connections:', '  shop:', '    connector: postgres', '    host: db1', '    password: ${PG_PASSWORD}', '    url: postgres://app:${PG_PASSWORD}@db1/shop', ''].join('\n'),
    );
    // What the edit form sends back: the secrets masked in the listing are left out.
    saveConnection(root, stateDir, 'shop', { connector: 'postgres', settings: { host: 'db2' } }, 'update');
    const text = readFileSync(path.join(root, 'connections.yaml'), 'utf8');
    assert.match(text, /host: db2/);
    assert.match(text, /password: \$\{PG_PASSWORD\}/);
    assert.match(text, /url: postgres:\/\/app:\$\{PG_PASSWORD\}@db1\/shop/);
    const [shop] = listConnections(root, stateDir, { PG_PASSWORD: 'x' });
    assert.deepEqual(shop?.settings.password, { secret: { set: true, from: ['PG_PASSWORD'] } });
  });

  it('writes connector: in place of the old type: when it saves a connection', () => {
    writeFileSync(path.join(root, 'connections.yaml'), ['connections:', '  shop:', '    type: postgres', '    host: db1', ''].join('\n'));
    saveConnection(root, stateDir, 'shop', { connector: 'postgres', settings: { host: 'db2' } }, 'update');
    assert.equal(readFileSync(path.join(root, 'connections.yaml'), 'utf8'), ['connections:', '  shop:', '    connector: postgres', '    host: db2', ''].join('\n'));
    assert.equal(listConnections(root, stateDir)[0]?.connector, 'postgres');
  });

  it('drops a plain setting the change leaves out', () => {
    writeFileSync(path.join(root, 'connections.yaml'), ['connections:', '  shop:', '    connector: postgres', '    host: db1', '    schema: sales', ''].join('\n'));
    saveConnection(root, stateDir, 'shop', { connector: 'postgres', settings: { host: 'db1' } }, 'update');
    assert.doesNotMatch(readFileSync(path.join(root, 'connections.yaml'), 'utf8'), /schema/);
  });
});
