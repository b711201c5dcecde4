import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isSeq, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { parseYamlText } from '../../core/config/parse-yaml-file.ts';
import { ConfigError } from '../../core/errors.ts';

/** One side of a pair as a reviewer saw it: each compared column's value, as text (null when missing). */
export type PairSide = Readonly<Record<string, string | null>>;

/** A reviewer's decision on a pair to review: the two rows are the same record, or different ones. */
export interface PairDecision {
  readonly left: PairSide;
  readonly right: PairSide;
  readonly same: boolean;
}

const sideSchema = z.record(z.string(), z.string().nullable());
const pairSchema = z.tuple([sideSchema, sideSchema]);
const decisionsFileSchema = z.strictObject({ same: z.array(pairSchema).optional(), different: z.array(pairSchema).optional() });

/** The project file holding a dedupe block's reviewed pairs: `reviews/<pipeline>/<block>.yaml`. Files are the truth. */
export function pairDecisionsFile(pipeline: string, block: string): string {
  return path.join('reviews', pipeline, `${block}.yaml`);
}

/** A value as the key of a pair compares it: text, or null when missing. */
export function sideValue(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** The key of a pair, the same whichever row is on the left. */
export function pairKey(left: PairSide, right: PairSide): string {
  const sides = [JSON.stringify(Object.entries(left).sort()), JSON.stringify(Object.entries(right).sort())].sort();
  return sides.join('\u0000');
}

/** The decisions of a dedupe block's review, by pair key: true for the same record, false for different ones. */
export function loadPairDecisions(root: string, pipeline: string, block: string): Map<string, boolean> {
  const file = pairDecisionsFile(pipeline, block);
  const absolute = path.join(root, file);
  if (!existsSync(absolute)) return new Map();
  const parsed = parseYamlText(readFileSync(absolute, 'utf8'), decisionsFileSchema, file).data;
  const decided = new Map<string, boolean>();
  for (const [left, right] of parsed.different ?? []) decided.set(pairKey(left, right), false);
  // A pair listed both ways counts as the same record, the decision that changes the output.
  for (const [left, right] of parsed.same ?? []) decided.set(pairKey(left, right), true);
  return decided;
}

/**
 * Writes decisions into the block's review file, so the next run joins the
 * pairs decided the same into one cluster and leaves every decided pair out of
 * the pairs to review. A pair decided again moves to its new list; the file
 * keeps its comments.
 */
export function recordPairDecisions(root: string, pipeline: string, block: string, decisions: readonly PairDecision[]): void {
  const file = pairDecisionsFile(pipeline, block);
  const absolute = path.join(root, file);
  const doc = existsSync(absolute)
    ? parseDocument(readFileSync(absolute, 'utf8'))
    : parseDocument(`# Pairs of '${block}' decided in review: the same record, or different ones. The next run uses them.\n`);
  if (doc.errors.length) throw new ConfigError('config.yaml_syntax', `invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, { location: { file } });
  const keys = new Set(decisions.map((d) => pairKey(d.left, d.right)));
  for (const list of ['same', 'different'] as const) {
    const seq = doc.get(list, true);
    if (!isSeq(seq)) continue;
    seq.items = seq.items.filter((item) => {
      const [left, right] = (item as { toJSON(): [PairSide, PairSide] }).toJSON();
      return !keys.has(pairKey(left, right));
    });
  }
  for (const { left, right, same } of decisions) append(doc, same ? 'same' : 'different', [left, right]);
  const edited = doc.toString();
  parseYamlText(edited, decisionsFileSchema, file);
  mkdirSync(path.dirname(absolute), { recursive: true });
  // Written aside and renamed, so a run reading the file never sees half of it.
  const staged = `${absolute}.${process.pid}.tmp`;
  writeFileSync(staged, edited);
  renameSync(staged, absolute);
}

function append(doc: Document, list: 'same' | 'different', pair: readonly [PairSide, PairSide]): void {
  if (!isSeq(doc.get(list, true))) doc.set(list, doc.createNode([]));
  const seq = doc.get(list, true);
  if (!isSeq(seq)) throw new Error(`unreachable: ${list} is a list`);
  seq.flow = false;
  const node = doc.createNode(pair);
  if (isSeq(node)) node.flow = true;
  seq.items.push(node);
}
