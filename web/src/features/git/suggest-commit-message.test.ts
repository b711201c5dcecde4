import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { suggestCommitMessage } from './suggest-commit-message.ts';

describe('the commit message suggested for the chosen changes', () => {
  it('names the pipelines added and changed, whatever block files come with them', () => {
    const added = [{ path: 'pipelines/orders.yaml', status: 'untracked' }, { path: 'blocks/totals.sql', status: 'untracked' }, { path: 'connections.yaml', status: 'modified' }];
    assert.equal(suggestCommitMessage(added), 'Add pipeline orders');
    assert.equal(suggestCommitMessage([...added, { path: 'pipelines/hello.yaml', status: 'modified' }]), 'Add pipeline orders, update pipeline hello');
    assert.equal(suggestCommitMessage([{ path: 'pipelines/a.yaml', status: 'modified' }, { path: 'pipelines/b.yml', status: 'modified' }, { path: 'pipelines/c.yaml', status: 'modified' }]), 'Update pipelines a, b and c');
  });

  it('names one other file, or counts several', () => {
    assert.equal(suggestCommitMessage([{ path: 'connections.yaml', status: 'modified' }]), 'Update connections.yaml');
    assert.equal(suggestCommitMessage([{ path: 'blocks/x.sql', status: 'untracked' }]), 'Add blocks/x.sql');
    assert.equal(suggestCommitMessage([{ path: 'blocks/x.sql', status: 'modified' }, { path: 'blocks/y.sql', status: 'deleted' }]), 'Update 2 files');
    assert.equal(suggestCommitMessage([]), '');
  });
});
