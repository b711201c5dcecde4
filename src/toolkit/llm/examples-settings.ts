import { z } from 'zod';

const column = (what: string) => z.string().min(1).optional().describe(what);

/**
 * The settings under a block's `examples:` (snake_case, as in a pipeline
 * file). One flat map, so the UI's form shows every setting; which columns
 * a format needs is checked after.
 */
export const examplesSettingsSchema = z
  .strictObject({
    format: z.enum(['prompt_completion', 'chat']).describe('prompt_completion: {"prompt", "completion"} lines; chat: {"messages": [...]} lines'),
    prompt: column('prompt_completion: the column holding the prompt'),
    completion: column('prompt_completion: the column holding the completion'),
    system: z.string().min(1).optional().describe('chat: a system message put first in every example'),
    user: column("chat: the column holding the user's message"),
    assistant: column("chat: the column holding the assistant's answer"),
    validation_share: z.number().min(0).max(1).optional().describe('the share of examples held out for validation, 0 to 1 (default 0.1)'),
    seed: z.union([z.string(), z.number()]).optional().describe('the same seed puts the same example on the same side (default 0)'),
    similarity: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe('also drop an example sharing this share of its wording with an earlier one (0.8: a word changed); exact repeats are always dropped'),
  })
  .superRefine((settings, issues) => {
    const needs = settings.format === 'chat' ? (['user', 'assistant'] as const) : (['prompt', 'completion'] as const);
    const foreign = settings.format === 'chat' ? (['prompt', 'completion'] as const) : (['system', 'user', 'assistant'] as const);
    for (const key of needs) if (settings[key] === undefined) issues.addIssue({ code: 'custom', path: [key], message: `the ${settings.format} format needs the column of the ${key}` });
    for (const key of foreign) if (settings[key] !== undefined) issues.addIssue({ code: 'custom', path: [key], message: `not a setting of the ${settings.format} format` });
  });
export type ExamplesSettings = z.output<typeof examplesSettingsSchema>;
