import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSecretKey, mask, registerSecret } from './secrets.ts';

// Registered secrets live for the whole process, so every test uses values of its own.
describe('mask', () => {
  it('replaces every occurrence of a registered secret', () => {
    registerSecret('tr0ub4dor');
    assert.equal(mask('auth tr0ub4dor failed; retrying with tr0ub4dor'), 'auth *** failed; retrying with ***');
  });

  it('replaces the URL-encoded form of a registered secret', () => {
    registerSecret('p@ss w/rd!');
    assert.equal(mask('dsn=host/db?password=p%40ss%20w%2Frd!'), 'dsn=host/db?password=***');
    assert.equal(mask('raw p@ss w/rd! here'), 'raw *** here');
  });

  it('leaves values shorter than four characters unregistered', () => {
    registerSecret('abc');
    assert.equal(mask('abc abcd'), 'abc abcd');
  });

  it('hides the password of user:password@ in a URL even when it was never registered', () => {
    assert.equal(mask('connect postgres://alice:s3cr3t@db.example:5432/app failed'), 'connect postgres://alice:***@db.example:5432/app failed');
  });

  it('leaves URLs without credentials and e-mail addresses alone', () => {
    const text = 'see https://example.com:8443/docs or mail ops@example.com';
    assert.equal(mask(text), text);
  });

  it('returns text without secrets unchanged', () => {
    assert.equal(mask('loaded 31 rows into public.sales'), 'loaded 31 rows into public.sales');
  });

  it(
    'hides all of a longer secret when a shorter secret is its prefix',
    () => {
      registerSecret('admin');
      registerSecret('admin-s3cret');
      assert.doesNotMatch(mask('login admin-s3cret'), /s3cret/);
    },
  );
});

describe('isSecretKey', () => {
  it('recognises names that say they hold a secret', () => {
    for (const key of ['password', 'PASS', 'db_password', 'client_secret', 'api_key', 'token', 'credentials_json']) {
      assert.ok(isSecretKey(key), key);
    }
  });

  it('does not treat ordinary names as secrets', () => {
    for (const key of ['host', 'port', 'user', 'database', 'path']) assert.ok(!isSecretKey(key), key);
  });
});
