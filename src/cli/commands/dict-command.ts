import { loadProject } from '../../core/project/load-project.ts';
import { dictionaryFile, loadDictionary } from '../../toolkit/dictionary/dictionary-file.ts';
import { pendingReview, type PendingValue } from '../../toolkit/dictionary/pending-review.ts';
import { recordDecisions, type ReviewDecision } from '../../toolkit/dictionary/record-decisions.ts';
import { resolveProjectPath } from '../../workspace/resolve-project-path.ts';
import { bold, dim, green, type Output } from '../output.ts';
import { UsageError } from '../usage-error.ts';
import { recordCliChange } from './audit-command.ts';

export interface DictReviewOptions {
  readonly accept?: readonly string[];
  readonly reject?: readonly string[];
  readonly json?: boolean;
}

/**
 * `sluice dict review NAME`: lists the values the latest runs of the clean
 * blocks using dictionary NAME left undecided; with `--accept VALUE=CANONICAL`
 * or `--reject VALUE`, writes those decisions into `dictionaries/NAME.yaml`, so
 * the next run maps them exactly.
 */
export async function dictReviewCommand(name: string, options: DictReviewOptions, out: Output): Promise<number> {
  const project = loadProject(process.cwd());
  const file = dictionaryFile(name);
  // The name is a plain file name already; this also refuses a dictionaries/ folder linked out of the project.
  resolveProjectPath(project.root, file);
  const decisions = [...(options.accept ?? []).map((a) => parseAccept(a, project.root, name)), ...(options.reject ?? []).map((value) => ({ value, canonical: null }))];
  if (decisions.length) {
    recordDecisions(project.root, name, decisions);
    await recordCliChange(project, { action: 'dictionary.decide', target: name, detail: { decisions } });
    for (const { value, canonical } of decisions) out.line(`${green('recorded')} "${value}" -> ${canonical === null ? 'no value (flagged as unrecognised)' : `"${canonical}"`} in ${file}`);
    out.line(dim('the next run maps these values exactly'));
  }
  const pending = pendingReview(project.root, project.stateDir, name);
  if (options.json) {
    out.line(JSON.stringify(pending, null, 2));
    return 0;
  }
  if (!pending.length) {
    out.line(`nothing to review against ${file}`);
    return 0;
  }
  out.line(`${pending.length} value(s) waiting for review against ${file} (from the latest run of each clean block using it):`);
  for (const value of pending) out.line(describePending(value));
  const first = pending[0]!;
  const example = first.candidates[0] ? `--accept ${shellQuote(`${first.value}=${first.candidates[0].value}`)}` : `--reject ${shellQuote(first.value)}`;
  out.line(dim(`decide with: sluice dict review ${name} ${example}`));
  return 0;
}

function describePending(value: PendingValue): string {
  const closest = value.candidates.length ? value.candidates.map((c) => `${c.value} (${c.score.toFixed(2)})`).join(', ') : 'none';
  const where = value.seenIn.map((s) => `${s.pipeline}.${s.block}.${s.column}`).join(', ');
  return `  ${bold(JSON.stringify(value.value))}  ${value.count} row(s), ${value.flag}; closest: ${closest}  ${dim(`in ${where}`)}`;
}

/** `VALUE=CANONICAL`, split at the `=` whose right side is a value of the dictionary (either side may hold `=`). */
function parseAccept(text: string, root: string, name: string): ReviewDecision {
  const canonicals = new Set(loadDictionary(root, name).entries.map((e) => e.canonical));
  for (let at = text.indexOf('='); at > 0; at = text.indexOf('=', at + 1)) {
    const canonical = text.slice(at + 1).trim();
    if (canonicals.has(canonical)) return { value: text.slice(0, at), canonical };
  }
  if (!text.includes('=')) throw new UsageError(`--accept '${text}': write VALUE=CANONICAL, e.g. --accept 'Electrnics=Electronics'`);
  throw new UsageError(`--accept '${text}': the part after '=' is not a value of ${dictionaryFile(name)} (values: ${[...canonicals].slice(0, 12).join(', ')})`);
}

function shellQuote(text: string): string {
  return /^[\w.=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
