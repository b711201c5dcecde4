import { useEffect, useState } from 'react';

/** What the user chose; `system` follows the operating system's light or dark setting. */
export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

export const themeChoices: readonly ThemeChoice[] = ['system', 'light', 'dark'];

const storageKey = 'sluice.theme';
const darkQuery = '(prefers-color-scheme: dark)';
const listeners = new Set<() => void>();

/** The choice made on this page, kept even where storage is refused. */
let chosen: ThemeChoice | undefined;

export function storedChoice(): ThemeChoice {
  if (chosen) return chosen;
  try {
    const value = window.localStorage.getItem(storageKey);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    // Storage can be refused (private windows, policies): the system setting still applies.
    return 'system';
  }
}

export function resolveTheme(choice: ThemeChoice): Theme {
  if (choice !== 'system') return choice;
  return window.matchMedia(darkQuery).matches ? 'dark' : 'light';
}

/** Sets `data-theme` on the root element: the stylesheets switch their colour variables on it. */
function apply(): void {
  const theme = resolveTheme(storedChoice());
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
  for (const listener of listeners) listener();
}

/** Applies the stored choice before the first paint and follows later changes of the system setting. */
export function startTheme(): void {
  apply();
  window.matchMedia(darkQuery).addEventListener('change', apply);
}

export function chooseTheme(choice: ThemeChoice): void {
  chosen = choice;
  try {
    if (choice === 'system') window.localStorage.removeItem(storageKey);
    else window.localStorage.setItem(storageKey, choice);
  } catch {
    // Not remembered, but still applied for this page.
  }
  apply();
}

/** The theme in force and the user's choice, re-rendering when either changes. */
export function useTheme(): { theme: Theme; choice: ThemeChoice } {
  const read = () => ({ theme: (document.documentElement.dataset.theme as Theme | undefined) ?? 'light', choice: storedChoice() });
  const [state, setState] = useState(read);
  useEffect(() => {
    const update = () => setState(read());
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return state;
}
