import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitsLength, sameIdentifier } from '../core/connectors/identifier-rules.ts';
import { connectors } from './registry.ts';

describe('the connector registry', () => {
  for (const connector of connectors.values()) {
    describe(connector.kind, () => {
      it('declares a capability exactly when it implements the part behind it', () => {
        const { capabilities: c } = connector;
        assert.equal(connector.syncDestination !== undefined, c.syncDestination !== 'none', 'syncDestination');
        assert.equal(connector.changeCapture !== undefined, c.changeCapture, 'changeCapture');
        if (c.syncSource === 'query' || c.sql) assert.ok(connector.identifiers, 'a connector that runs SQL declares its identifier rules');
        assert.equal(c.upsert === 'none', !c.write.includes('upsert'), 'an upsert strategy exactly when it can upsert');
        assert.equal(c.bulkPath === 'none', c.write.length === 0, 'a bulk path exactly when it can write');
      });

      it('declares exactly the write modes its write settings accept', () => {
        for (const mode of ['replace', 'append', 'upsert', 'merge', 'partition'] as const) {
          // Judged by the mode alone: other settings may be missing or foreign to this connector.
          const parsed = connector.writeSchema.safeParse({ mode });
          const issues = parsed.success ? [] : parsed.error.issues;
          // A connector without a mode setting writes one way: it replaces its target.
          const noModeSetting = issues.some((i) => i.code === 'unrecognized_keys' && i.keys.includes('mode'));
          const accepted =
            connector.capabilities.write.length > 0 &&
            (noModeSetting
              ? mode === 'replace'
              : parsed.success
                ? ((parsed.data as { mode?: string }).mode ?? 'replace') === mode
                : !issues.some((i) => i.path[0] === 'mode'));
          assert.equal(connector.capabilities.write.includes(mode), accepted, `${mode}: ${accepted ? 'accepted but not declared' : 'declared but refused'}`);
        }
      });
    });
  }

  it('names each connector once, by its kind', () => {
    assert.deepEqual([...connectors.keys()].sort(), ['duckdb', 'file', 'mysql', 'postgres', 'rest', 'sqlite']);
  });

  it('quotes, compares and limits names by each database own rules', () => {
    const pg = connectors.get('postgres')!.identifiers!;
    const my = connectors.get('mysql')!.identifiers!;
    assert.equal(pg.quote('we"ird'), '"we""ird"');
    assert.equal(my.quote('we`ird'), '`we``ird`');
    assert.equal(pg.table('a.b'), '"a"."b"');
    assert.equal(my.literal("it's a\\b"), "'it''s a\\\\b'");
    assert.ok(fitsLength(pg, 'x'.repeat(63)) && !fitsLength(pg, 'x'.repeat(64)));
    assert.ok(fitsLength(my, 'x'.repeat(64)) && !fitsLength(my, 'x'.repeat(65)));
    // Bytes, not characters: 32 two-byte letters are 64 bytes.
    assert.ok(!fitsLength(pg, 'é'.repeat(32)));
    assert.ok(!sameIdentifier(pg, 'Amount', 'amount'));
    assert.ok(sameIdentifier(my, 'Amount', 'amount'));
  });

  it('says which connectors can take change sets and which can be a CDC source', () => {
    const changes = [...connectors.values()].filter((c) => c.capabilities.syncDestination === 'changes').map((c) => c.kind).sort();
    assert.deepEqual(changes, ['duckdb', 'mysql', 'postgres']);
    assert.deepEqual([...connectors.values()].filter((c) => c.capabilities.changeCapture).map((c) => c.kind), ['postgres']);
  });
});
