import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sluice } from './cli-helpers.ts';
import { createWorld, type IntegrationWorld } from './integration-fixtures.ts';
import { requirePrerequisites } from '../../src/testing/require-prerequisites.ts';

const skip = await requirePrerequisites('postgres', 'mariadb');

/** A column dropped at the source, synced into each kind of destination under freeze and evolve. */
for (const to of ['pg', 'maria', 'warehouse'] as const) {
  describe(`a source column that is dropped (pg -> ${to})`, { skip }, () => {
    let world: IntegrationWorld;
    let second: Awaited<ReturnType<typeof sluice>>;
    const table = (name: string): string => (to === 'warehouse' ? name : `${world.name}.${name}`);
    before(async () => {
      world = await createWorld(`dropped_${to}`);
      await world.query('pg', `CREATE TABLE ${world.name}.items (id int PRIMARY KEY, qty int, note text, updated_at timestamp)`);
      await world.query('pg', `INSERT INTO ${world.name}.items VALUES (1, 10, 'one', '2024-01-01'), (2, 20, 'two', '2024-01-02')`);
      // A failed stream stops the streams after it, so freeze comes last.
      world.pipeline(
        'items',
        [
          'kind: integration',
          'source: pg',
          `destination: ${to}`,
          'streams:',
          '  - { table: items, name: evolved, destination_table: items_evolved, cursor: updated_at, mode: incremental_append, schema_contract: evolve }',
          '  - { table: items, name: frozen, destination_table: items_frozen, cursor: updated_at, mode: incremental_append, schema_contract: freeze }',
          '',
        ].join('\n'),
      );
      const first = await sluice(world.dir, ['run', 'items']);
      assert.equal(first.code, 0, first.stdout + first.stderr);
      await world.query('pg', `ALTER TABLE ${world.name}.items DROP COLUMN note`);
      await world.query('pg', `INSERT INTO ${world.name}.items VALUES (3, 30, '2024-01-03')`);
      second = await sluice(world.dir, ['run', 'items']);
    });
    after(() => world.close());

    it('freeze fails before writing anything, with the dropped column in the diff', async () => {
      assert.equal(second.code, 1, second.stdout + second.stderr);
      assert.match(second.stderr, /stream 'frozen'.*schema contract is freeze; nothing was written/s);
      assert.match(second.stderr, /- note VARCHAR \(no longer in the source\)/);
      const [frozen] = await world.query(to, `SELECT count(*) AS n FROM ${table('items_frozen')}`);
      assert.equal(Number(frozen!.n), 2, 'freeze wrote nothing');
    });

    it('evolve keeps the column and its values, writes NULL in new rows, and records a schema event', async () => {
      const rows = await world.query(to, `SELECT id, note FROM ${table('items_evolved')} ORDER BY id`);
      assert.deepEqual(
        rows.map((r) => [Number(r.id), r.note]),
        [
          [1, 'one'],
          [2, 'two'],
          [3, null],
        ],
      );
      const history = await sluice(world.dir, ['schema', 'history', 'items']);
      assert.equal(history.code, 0, history.stderr);
      assert.match(history.stdout, /evolved\s+items_evolved\s+dropped_column: note VARCHAR is no longer in the source; kept in the destination/);
      assert.match(history.stdout, /frozen\s+items_frozen\s+freeze_violation: - note VARCHAR/);
    });
  });
}
