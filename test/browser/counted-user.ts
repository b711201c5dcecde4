import type { Locator, Page } from 'playwright-core';

/** What a scripted user did: each click and each key press, as a person would make them. */
export interface Effort {
  clicks: number;
  keystrokes: number;
}

/**
 * The only way a walkthrough touches the page: each method does what a
 * person would and counts it. Typing "abc" is three keystrokes, a chord
 * such as Ctrl+S one; picking from a list is two clicks (open it, pick).
 */
export interface CountedUser {
  readonly effort: Readonly<Effort>;
  click(target: Locator): Promise<void>;
  /** Clicks into a field, then types the text into it. */
  type(target: Locator, text: string): Promise<void>;
  /** Types at the focus, without a click: where the page already put the cursor. */
  typeHere(text: string): Promise<void>;
  press(keys: string): Promise<void>;
  select(target: Locator, value: string): Promise<void>;
}

export function countedUser(page: Page): CountedUser {
  const effort: Effort = { clicks: 0, keystrokes: 0 };
  return {
    effort,
    async click(target) {
      effort.clicks++;
      await target.click();
    },
    async type(target, text) {
      // A field that already has the focus needs no click to type into it.
      const focused = await target.evaluate((element) => element === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement);
      if (!focused) {
        effort.clicks++;
        await target.click();
      }
      effort.keystrokes += [...text].length;
      await target.pressSequentially(text);
    },
    async typeHere(text) {
      effort.keystrokes += [...text].length;
      await page.keyboard.type(text);
    },
    async press(keys) {
      effort.keystrokes++;
      await page.keyboard.press(keys);
    },
    async select(target, value) {
      effort.clicks += 2;
      await target.selectOption(value);
    },
  };
}
