import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { linkSignals } from './linked-signal.ts';

// Full collections on demand, with or without `node --expose-gc`.
v8.setFlagsFromString('--expose-gc');
const gc = (globalThis as { gc?: () => void }).gc ?? (vm.runInNewContext('gc') as () => void);

/** Forces full collections while `work` is pending, for at most 10 s; true when it settled. */
async function collectWhile(work: Promise<unknown>): Promise<boolean> {
  let done = false;
  void work.finally(() => (done = true));
  for (const until = Date.now() + 10_000; !done && Date.now() < until; ) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return done;
}

describe('linkSignals', () => {
  it('fires its timeout however many full collections run meanwhile', async () => {
    const parent = new AbortController();
    const started = Date.now();
    // Only the listener is kept: a signal held weakly (AbortSignal.any) would be collected and never fire.
    const fired = once(linkSignals([parent.signal], 300).signal, 'abort');
    assert.equal(await collectWhile(fired), true, 'the timeout never fired');
    assert.ok(Date.now() - started >= 250);
  });

  it('aborts when a parent aborts, with the parent\'s reason', async () => {
    const parent = new AbortController();
    const { signal } = linkSignals([parent.signal, undefined]);
    parent.abort(new Error('stop'));
    assert.equal(signal.aborted, true);
    assert.equal((signal.reason as Error).message, 'stop');
  });

  it('stops listening to its parents and its timer once disposed', () => {
    const parent = new AbortController();
    const linked = linkSignals([parent.signal], 50);
    linked.dispose();
    parent.abort();
    assert.equal(linked.signal.aborted, false);
  });

  it('starts aborted when a parent already is', () => {
    assert.equal(linkSignals([AbortSignal.abort('gone')]).signal.reason, 'gone');
  });
});
