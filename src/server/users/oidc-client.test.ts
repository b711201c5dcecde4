import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { oidcSettingsSchema } from '../../core/project/oidc-settings.ts';
import { mask } from '../../core/project/secrets.ts';
import { oidcOptionsOf, roleFromClaims, userNameFromClaims } from './oidc-client.ts';

const settings = (extra: Record<string, unknown> = {}) =>
  oidcSettingsSchema.parse({ issuer: 'https://login.example.com', client_id: 'sluice', client_secret: '${OIDC_SECRET}', role_claim: 'groups', roles: { admins: 'admin', eng: 'editor', all: 'viewer' }, ...extra });

describe('OpenID Connect settings and role mapping', () => {
  it('maps a string claim, and a list claim to the highest role it holds', () => {
    const options = oidcOptionsOf(settings(), { OIDC_SECRET: 's3cret-value-1' })!;
    assert.equal(roleFromClaims({ groups: 'eng' }, options), 'editor');
    assert.equal(roleFromClaims({ groups: ['all', 'admins', 'eng'] }, options), 'admin');
    assert.equal(roleFromClaims({ groups: ['others'] }, options), undefined);
    assert.equal(roleFromClaims({}, options), undefined);
    assert.equal(roleFromClaims({ groups: 'toString' }, options), undefined, 'only the mapping itself counts, not inherited keys');
  });

  it('gives an unmapped claim the default role when one is set', () => {
    const options = oidcOptionsOf(settings({ default_role: 'viewer' }), { OIDC_SECRET: 'x' })!;
    assert.equal(roleFromClaims({ groups: ['others'] }, options), 'viewer');
  });

  it('takes the client secret only from the environment, and masks it', () => {
    assert.throws(() => settings({ client_secret: 'literal-secret' }), /environment reference/);
    assert.throws(() => oidcOptionsOf(settings(), {}), /needs the environment variable OIDC_SECRET/);
    const options = oidcOptionsOf(settings(), { OIDC_SECRET: 'the-oidc-client-secret' })!;
    assert.equal(options.clientSecret, 'the-oidc-client-secret');
    assert.equal(mask('failed with the-oidc-client-secret'), 'failed with ***');
  });

  it('allows plain http only for a loopback issuer', () => {
    assert.throws(() => oidcOptionsOf(settings({ issuer: 'http://login.example.com' }), { OIDC_SECRET: 'x' }), /must use https/);
    for (const issuer of ['http://127.0.0.1:9000', 'http://localhost:9000', 'http://[::1]:9000']) {
      assert.equal(oidcOptionsOf(settings({ issuer }), { OIDC_SECRET: 'x' })!.issuer.protocol, 'http:');
    }
  });

  it('names a new user from the preferred user name, the e-mail or the subject', () => {
    assert.equal(userNameFromClaims({ preferred_username: 'ana.lopez', sub: '1' }), 'ana.lopez');
    assert.equal(userNameFromClaims({ email: 'bo b@example.com', sub: '1' }), 'bo-b');
    assert.equal(userNameFromClaims({ sub: 'auth0|42' }), 'auth0-42');
  });
});
