/**
 * Every keyboard shortcut of the app, in one place. The bindings read their
 * keys from here and the `?` overlay lists this table, so the two cannot
 * drift apart. Keys use CodeMirror's notation (`Mod-s`, `Shift-Mod-Enter`):
 * `Mod` is Ctrl, or ⌘ on a Mac.
 */
export interface Shortcut {
  /** One or more alternative key combinations. */
  readonly keys: readonly string[];
  readonly does: string;
  readonly where: ShortcutScope;
}

export type ShortcutScope = 'Anywhere' | 'Pipeline editor' | 'Code editor' | 'Pipeline canvas' | 'Command palette' | 'Log search' | 'Dialogs';

export const shortcuts = {
  palette: { keys: ['Mod-k'], does: 'Open the command palette', where: 'Anywhere' },
  help: { keys: ['?'], does: 'Show these keyboard shortcuts', where: 'Anywhere' },
  runBlock: { keys: ['Mod-Enter'], does: 'Run the selected block', where: 'Pipeline editor' },
  runWithUpstream: { keys: ['Shift-Mod-Enter'], does: 'Run the selected block with its upstreams', where: 'Pipeline editor' },
  save: { keys: ['Mod-s'], does: 'Save the block file', where: 'Code editor' },
  find: { keys: ['Mod-f'], does: 'Find and replace in the file', where: 'Code editor' },
  removeEdge: { keys: ['Delete', 'Backspace'], does: 'Remove the selected edge', where: 'Pipeline canvas' },
  resizeSplit: { keys: ['ArrowLeft', 'ArrowRight'], does: 'Resize the canvas and the editor (split handle focused)', where: 'Pipeline editor' },
  paletteMove: { keys: ['ArrowUp', 'ArrowDown'], does: 'Move through the results', where: 'Command palette' },
  paletteOpen: { keys: ['Enter'], does: 'Open the highlighted result', where: 'Command palette' },
  nextMatch: { keys: ['Enter'], does: 'Go to the next matching line', where: 'Log search' },
  previousMatch: { keys: ['Shift-Enter'], does: 'Go to the previous matching line', where: 'Log search' },
  close: { keys: ['Escape'], does: 'Close the palette, a dialog or this overlay', where: 'Dialogs' },
} as const satisfies Record<string, Shortcut>;

export type ShortcutId = keyof typeof shortcuts;

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

const keyNames: Record<string, string> = { Mod: isMac ? '⌘' : 'Ctrl', Escape: 'Esc', ArrowUp: '↑', ArrowDown: '↓', ArrowLeft: '←', ArrowRight: '→' };

/** A key combination as the keys to press, e.g. `Shift-Mod-Enter` as ['Shift', 'Ctrl', 'Enter']. */
export function keyCaps(keys: string): string[] {
  return splitKeys(keys).map((part) => keyNames[part] ?? (part.length === 1 ? part.toUpperCase() : part));
}

function splitKeys(keys: string): string[] {
  // A lone '-' or a combination ending in '-' names the minus key itself.
  return keys.split(/-(?!$)/);
}

/** Whether a keydown event is one of the shortcut's combinations; modifiers must match exactly. */
export function pressed(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>, id: ShortcutId): boolean {
  return shortcuts[id].keys.some((keys: string) => {
    const parts = splitKeys(keys);
    const key = parts.pop()!;
    const mod = parts.includes('Mod');
    const printable = key.length === 1;
    if ((isMac ? event.metaKey : event.ctrlKey) !== mod) return false;
    if (event.altKey !== parts.includes('Alt')) return false;
    // '?' is typed with Shift on most layouts: for a printable key the character decides.
    if (!printable && event.shiftKey !== parts.includes('Shift')) return false;
    return printable ? event.key.toLowerCase() === key.toLowerCase() : event.key === key;
  });
}

/** True while the user types: in a field, a select or the code editor, where a bare key is text, not a command. */
export function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.closest('.cm-editor') !== null;
}
