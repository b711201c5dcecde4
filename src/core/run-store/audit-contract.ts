import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditLog } from './audit-log.ts';

/** The audit log part of the run store contract: append, filters, pages, and no way to change an entry. */
export function describeAuditContract(openStore: () => Promise<{ readonly audit: AuditLog }>): void {
  describe('audit log', () => {
    const at = (minute: number): string => new Date(Date.UTC(2024, 4, 1, 10, minute)).toISOString();

    it('appends entries with their detail and lists them newest first', async () => {
      const { audit } = await openStore();
      const first = await audit.append({ actor: 'token', address: '10.0.0.7', action: 'file.edit', target: 'pipelines/daily/orders.sql', detail: { diff: '-a\n+b' }, at: at(1) });
      const second = await audit.append({ actor: 'cli:ana', action: 'dictionary.decide', target: 'dictionaries/countries.yaml' });
      assert.ok(second.seq > first.seq);
      assert.deepEqual(first, { seq: first.seq, at: at(1), actor: 'token', address: '10.0.0.7', action: 'file.edit', target: 'pipelines/daily/orders.sql', detail: { diff: '-a\n+b' } });
      assert.ok(Math.abs(Date.parse(second.at) - Date.now()) < 60_000, 'an entry without a time takes the store clock');
      const page = await audit.list();
      assert.deepEqual(page.entries, [second, first]);
      assert.equal(page.next, undefined);
    });

    it('filters by actor, action or area, target prefix and time', async () => {
      const { audit } = await openStore();
      await audit.append({ actor: 'token', action: 'run.start', target: 'daily/r1', at: at(1) });
      await audit.append({ actor: 'session:ab12cd34', action: 'run.cancel', target: 'daily/r1', at: at(2) });
      await audit.append({ actor: 'session:ab12cd34', action: 'connection.update', target: 'warehouse_pg', at: at(3) });
      await audit.append({ actor: 'token', action: 'runner.odd', target: 'weekly/r2', at: at(4) });
      const targets = async (query: Parameters<typeof audit.list>[0]): Promise<string[]> => (await audit.list(query)).entries.map((e) => `${e.action} ${e.target}`);
      assert.deepEqual(await targets({ actor: 'session:ab12cd34' }), ['connection.update warehouse_pg', 'run.cancel daily/r1']);
      assert.deepEqual(await targets({ action: 'run' }), ['run.cancel daily/r1', 'run.start daily/r1'], 'an area takes its actions and nothing that merely starts alike');
      assert.deepEqual(await targets({ action: 'run.start' }), ['run.start daily/r1']);
      assert.deepEqual(await targets({ target: 'daily/' }), ['run.cancel daily/r1', 'run.start daily/r1']);
      assert.deepEqual(await targets({ target: '%' }), [], 'a wildcard in a target is taken literally');
      assert.deepEqual(await targets({ since: at(2), until: at(4) }), ['connection.update warehouse_pg', 'run.cancel daily/r1']);
      assert.deepEqual(await targets({ since: '2024-05-01T12:03:00+02:00' }), ['runner.odd weekly/r2', 'connection.update warehouse_pg']);
    });

    it('pages with a cursor until the last page', async () => {
      const { audit } = await openStore();
      for (let i = 0; i < 5; i++) await audit.append({ actor: 'token', action: 'git.commit', target: `c${i}`, at: at(i) });
      const first = await audit.list({ limit: 2 });
      assert.deepEqual(first.entries.map((e) => e.target), ['c4', 'c3']);
      const second = await audit.list({ limit: 2, cursor: first.next });
      assert.deepEqual(second.entries.map((e) => e.target), ['c2', 'c1']);
      const last = await audit.list({ limit: 2, cursor: second.next });
      assert.deepEqual(last.entries.map((e) => e.target), ['c0']);
      assert.equal(last.next, undefined);
    });

    it('offers no way to change or remove an entry', async () => {
      const { audit } = await openStore();
      const methods = new Set<string>();
      for (let proto: object | null = audit; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
        for (const name of Object.getOwnPropertyNames(proto)) if (typeof (audit as unknown as Record<string, unknown>)[name] === 'function' && name !== 'constructor') methods.add(name);
      }
      assert.deepEqual([...methods].sort(), ['append', 'list']);
    });
  });
}
