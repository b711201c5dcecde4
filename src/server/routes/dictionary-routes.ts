import { Hono } from 'hono';
import { z } from 'zod';
import { SluiceError, type SerializedError } from '../../core/errors.ts';
import { dictionaryFile, listDictionaries, loadDictionary } from '../../toolkit/dictionary/dictionary-file.ts';
import { pendingReview, type PendingValue } from '../../toolkit/dictionary/pending-review.ts';
import { recordDecisions } from '../../toolkit/dictionary/record-decisions.ts';
import { resolveProjectPath } from '../../workspace/resolve-project-path.ts';
import type { AppDependencies } from '../app-context.ts';
import { noteAudit } from '../audit/audit-trail.ts';
import { parseBody } from '../http-problem.ts';
import { answer } from '../route-answer.ts';

const decisionsBody = z.strictObject({
  decisions: z.array(z.strictObject({ value: z.string().trim().min(1), canonical: z.string().trim().min(1).nullable() })).min(1).max(1000),
});

/** What `POST /api/dictionaries/:name/decisions` takes. */
export type DictionaryDecisionsRequest = z.input<typeof decisionsBody>;

/**
 * The project's dictionaries (`dictionaries/NAME.yaml`) with the values the
 * latest clean runs left for review, and the decisions a reviewer takes,
 * written into the dictionary file. Files are the truth.
 */
export function dictionaryRoutes(deps: AppDependencies): Hono {
  const app = new Hono();

  app.get('/dictionaries', (c) => answer(c, 'GET /api/dictionaries', { dictionaries: listDictionaries(deps.root).map((name) => summarise(deps, name)) }));

  app.get('/dictionaries/:name', (c) => {
    const name = c.req.param('name');
    fileOf(deps.root, name);
    const summary = summarise(deps, name);
    if (summary.error) throw new SluiceError(summary.error.code, summary.error.message, { kind: 'config', ...(summary.error.location ? { location: summary.error.location } : {}) });
    return answer(c, 'GET /api/dictionaries/:name', summary);
  });

  app.post('/dictionaries/:name/decisions', async (c) => {
    const name = c.req.param('name');
    const body = await parseBody(c, decisionsBody);
    fileOf(deps.root, name);
    recordDecisions(deps.root, name, body.decisions);
    noteAudit(c, { action: 'dictionary.decide', target: name, detail: { decisions: body.decisions } });
    return answer(c, 'POST /api/dictionaries/:name/decisions', summarise(deps, name));
  });

  return app;
}

/** The dictionary's file, refused when its name is a path or its folder leads out of the project. */
function fileOf(root: string, name: string): string {
  const file = dictionaryFile(name);
  resolveProjectPath(root, file);
  return file;
}

/** A dictionary as `GET /api/dictionaries` shows it: its values and what waits for review, or why its file cannot be read. */
export interface DictionarySummary {
  readonly name: string;
  readonly file: string;
  readonly values: readonly string[];
  readonly reviewed: number;
  readonly pending: readonly PendingValue[];
  readonly error?: SerializedError;
}

function summarise(deps: AppDependencies, name: string): DictionarySummary {
  const file = dictionaryFile(name);
  try {
    resolveProjectPath(deps.root, file);
    const dictionary = loadDictionary(deps.root, name);
    return {
      name,
      file,
      values: dictionary.entries.map((e) => e.canonical),
      reviewed: dictionary.reviewed.size,
      pending: pendingReview(deps.root, deps.stateDir, name),
    };
  } catch (error) {
    if (!(error instanceof SluiceError)) throw error;
    // A broken file is shown with its error, so the others stay reviewable.
    return { name, file, values: [], reviewed: 0, pending: [], error: error.toJSON() };
  }
}
