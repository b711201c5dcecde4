import type { LogRecord } from '@sluice/api';

/** Levels from the least to the most severe, as the server orders them: a filter keeps its level and those after it. */
const severity = ['debug', 'info', 'warn', 'error'] as const;

export type LevelChoice = '' | (typeof severity)[number];

export const levelChoices: readonly { value: LevelChoice; label: string }[] = [
  { value: '', label: 'all levels' },
  { value: 'info', label: 'info and above' },
  { value: 'warn', label: 'warnings and errors' },
  { value: 'error', label: 'errors only' },
];

export function atLeast(lines: readonly LogRecord[], level: LevelChoice): readonly LogRecord[] {
  if (!level) return lines;
  const floor = severity.indexOf(level);
  return lines.filter((l) => severity.indexOf(l.level) >= floor);
}
