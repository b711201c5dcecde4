import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Provider from 'oidc-provider';
import type { Browser, Page } from 'playwright-core';
import { ensureWebBuilt, launchBrowser, openPage, screenshot, serveProject, type ServedProject } from './browser-helpers.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('chromium');

const clientSecret = `oidc-test-secret-${process.pid}-${Date.now()}`;
/** The provider's accounts: login name to the groups its `sluice_groups` claim carries. Tests change them. */
const groups: Record<string, string[]> = { ana: ['data-admins'], gus: ['visitors'] };

/** A real OpenID Connect provider (oidc-provider) on 127.0.0.1 and a free port, with its login and consent pages. */
async function startProvider(): Promise<{ issuer: string; register: (redirectUri: string) => void; close: () => Promise<void> }> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server: Server = createServer((req, res) => (handler ? handler(req, res) : res.writeHead(503).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    register: (redirectUri) => {
      const provider = new Provider(issuer, {
        clients: [{ client_id: 'sluice-test', client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_post' }],
        claims: { openid: ['sub', 'sluice_groups'], profile: ['preferred_username', 'name'], email: ['email'] },
        findAccount: (_ctx, id) => ({
          accountId: id,
          claims: () => ({ sub: id, preferred_username: id, name: id.toUpperCase(), email: `${id}@example.com`, sluice_groups: groups[id] ?? [] }),
        }),
      });
      handler = provider.callback();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** From Sluice's sign-in page through the provider's login and consent pages. */
async function signInThroughProvider(page: Page, served: ServedProject, login: string): Promise<void> {
  await page.goto(`${served.base}/`);
  await page.getByTestId('oidc-sign-in').click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any-password');
  await page.locator('button[type="submit"]').click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

describe('OpenID Connect sign-in against a local provider', { skip }, () => {
  let provider: Awaited<ReturnType<typeof startProvider>>;
  let served: ServedProject;
  let browser: Browser;

  before(async () => {
    ensureWebBuilt();
    provider = await startProvider();
    process.env.SLUICE_TEST_OIDC_SECRET = clientSecret;
    served = await serveProject({
      'sluice.yaml': [
        'name: oidc_sign_in',
        'auth:',
        '  oidc:',
        `    issuer: ${provider.issuer}`,
        '    name: Test IdP',
        '    client_id: sluice-test',
        '    client_secret: ${SLUICE_TEST_OIDC_SECRET}',
        '    role_claim: sluice_groups',
        '    roles: { data-admins: admin, analysts: viewer }',
        '',
      ].join('\n'),
      'pipelines/hello.yaml': 'blocks:\n  - { name: greet, file: blocks/greet.sql }\n',
      'blocks/greet.sql': "SELECT 'hi' AS greeting\n",
    });
    provider.register(`${served.base}/api/auth/oidc/callback`);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await served?.close();
    await provider?.close();
    delete process.env.SLUICE_TEST_OIDC_SECRET;
  });

  it('signs a user in through the provider, with the role their claim maps to', async () => {
    const { page, problems } = await openPage(browser);
    await page.goto(`${served.base}/`);
    assert.equal(await page.getByTestId('oidc-sign-in').innerText(), 'Sign in with Test IdP');
    await screenshot(page, 'oidc-sign-in-page');
    await signInThroughProvider(page, served, 'ana');
    await page.getByTestId('pipelines-page').waitFor();
    assert.match(await page.getByTestId('signed-in-as').innerText(), /ana · admin/);
    await page.getByTestId('nav-users').click();
    await page.getByTestId('user-row-ana').waitFor();
    await screenshot(page, 'oidc-signed-in');
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  it('applies a role changed at the provider at the next sign-in', async () => {
    groups.ana = ['analysts'];
    const { page } = await openPage(browser);
    await signInThroughProvider(page, served, 'ana');
    await page.getByTestId('pipelines-page').waitFor();
    assert.match(await page.getByTestId('signed-in-as').innerText(), /ana · viewer/);
    assert.equal(await page.getByTestId('nav-users').count(), 0, 'a viewer has no users page');
    await page.context().close();
  });

  it('refuses an account whose claim maps to no role, with a page that says why', async () => {
    const { page } = await openPage(browser);
    await signInThroughProvider(page, served, 'gus');
    await page.getByTestId('oidc-refused').waitFor();
    assert.match(await page.getByTestId('oidc-refused').innerText(), /No Sluice role/);
    assert.match(await page.getByTestId('oidc-refused-detail').innerText(), /sluice_groups \(\["visitors"\]\) maps to no Sluice role/);
    const session = await page.evaluate(async () => (await (await fetch('/api/session')).json()) as { authenticated: boolean });
    assert.equal(session.authenticated, false, 'no session was opened');
    await screenshot(page, 'oidc-refused');
    await page.context().close();
  });

  it('refuses a callback whose state is not the one the sign-in began with', async () => {
    const start = await fetch(`${served.base}/api/auth/oidc/start`, { redirect: 'manual' });
    assert.equal(start.status, 302);
    const location = new URL(start.headers.get('location')!);
    assert.equal(location.origin, provider.issuer);
    assert.equal(location.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(location.searchParams.get('nonce'), 'a nonce is sent');
    const cookie = start.headers.getSetCookie().find((c) => c.startsWith('sluice_oidc='))!.split(';')[0]!;
    const callback = await fetch(`${served.base}/api/auth/oidc/callback?code=made-up&state=not-the-state&iss=${encodeURIComponent(provider.issuer)}`, { headers: { cookie }, redirect: 'manual' });
    assert.equal(callback.status, 400);
    assert.ok(!callback.headers.getSetCookie().some((c) => c.startsWith('sluice_session=')), 'no session cookie');
    const body = await callback.text();
    assert.match(body, /could not be verified/);
    assert.match(body, /state/);
    assert.ok(!body.includes(clientSecret) && !served.output().includes(clientSecret), 'the client secret shows nowhere');
  });

  it('records OIDC sign-ins and refusals in the audit log', async () => {
    const { page } = await openPage(browser);
    groups.ana = ['data-admins'];
    await signInThroughProvider(page, served, 'ana');
    await page.getByTestId('pipelines-page').waitFor();
    const audit = await page.evaluate(async () => (await (await fetch('/api/audit')).json()) as { entries: { actor: string; action: string; detail?: { via?: string; role?: string } }[] });
    const starts = audit.entries.filter((e) => e.action === 'session.start' && e.detail?.via === 'oidc');
    assert.deepEqual(starts.map((e) => `${e.actor} ${e.detail?.role}`).sort(), ['user:ana admin', 'user:ana admin', 'user:ana viewer']);
    assert.ok(audit.entries.some((e) => e.action === 'session.refused' && e.actor === 'oidc:gus'), 'the refused account is recorded');
    // The user the provider created, and each role its claim changed, are user changes like an admin's.
    const changes = audit.entries.filter((e) => (e.action === 'user.add' || e.action === 'user.role') && e.actor === 'oidc:Test IdP');
    assert.deepEqual(changes.map((e) => `${e.action} ${JSON.stringify(e.detail, ['role', 'from', 'to', 'via'])}`).reverse(), [
      'user.add {"role":"admin","via":"oidc"}',
      'user.role {"from":"admin","to":"viewer","via":"oidc"}',
      'user.role {"from":"viewer","to":"admin","via":"oidc"}',
    ]);
    await page.context().close();
  });
});
