import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyCaps, pressed, shortcuts } from './shortcut-registry.ts';

const key = (k: string, mods: { ctrl?: boolean; shift?: boolean; alt?: boolean; meta?: boolean } = {}) => ({ key: k, ctrlKey: !!mods.ctrl, shiftKey: !!mods.shift, altKey: !!mods.alt, metaKey: !!mods.meta });

describe('the shortcut registry', () => {
  it('tells a combination by its exact modifiers', () => {
    assert.equal(pressed(key('k', { ctrl: true }), 'palette'), true);
    assert.equal(pressed(key('K', { ctrl: true, shift: true }), 'palette'), true, 'a printable key is told by its character');
    assert.equal(pressed(key('k'), 'palette'), false);
    assert.equal(pressed(key('Enter', { ctrl: true }), 'runBlock'), true);
    assert.equal(pressed(key('Enter', { ctrl: true, shift: true }), 'runBlock'), false, 'Shift makes it another shortcut');
    assert.equal(pressed(key('Enter', { ctrl: true, shift: true }), 'runWithUpstream'), true);
    assert.equal(pressed(key('Enter', { ctrl: true, alt: true }), 'runBlock'), false);
  });

  it('takes ? as typed, with the Shift most layouts need for it', () => {
    assert.equal(pressed(key('?', { shift: true }), 'help'), true);
    assert.equal(pressed(key('?', { ctrl: true }), 'help'), false);
  });

  it('names the keys to press', () => {
    assert.deepEqual(keyCaps(shortcuts.runWithUpstream.keys[0]), ['Shift', 'Ctrl', 'Enter']);
    assert.deepEqual(keyCaps('Escape'), ['Esc']);
    assert.deepEqual(keyCaps('Mod-k'), ['Ctrl', 'K']);
  });

  it('lists each shortcut once, with something it does', () => {
    const all = Object.values(shortcuts);
    assert.equal(new Set(all.map((s) => s.does)).size, all.length);
  });
});
