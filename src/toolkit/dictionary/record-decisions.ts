import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { parseYamlText } from '../../core/config/parse-yaml-file.ts';
import { ConfigError } from '../../core/errors.ts';
import { checkDictionary, dictionaryFile, dictionaryFileSchema, type Dictionary } from './dictionary-file.ts';

/** A reviewer's decision: the value stands for this canonical value, or (null) for none of the dictionary. */
export interface ReviewDecision {
  readonly value: string;
  readonly canonical: string | null;
}

/**
 * Writes decisions into the dictionary file's `reviewed:` map, so the next run
 * maps those values exactly. The file keeps its comments and order; a decision
 * for a value already reviewed replaces it. The edited text is checked as a
 * whole before it is written, so a decision naming no value of the dictionary
 * leaves the file as it was. Returns the dictionary as now written.
 */
export function recordDecisions(root: string, name: string, decisions: readonly ReviewDecision[]): Dictionary {
  const file = dictionaryFile(name);
  const absolute = path.join(root, file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch {
    throw new ConfigError('dictionary.not_found', `no dictionary '${name}': ${file} does not exist`, { location: { file } });
  }
  const doc = parseDocument(text);
  if (doc.errors.length) throw new ConfigError('config.yaml_syntax', `invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, { location: { file } });
  let reviewed = doc.get('reviewed', true);
  if (!isMap(reviewed)) {
    doc.set('reviewed', doc.createNode({}));
    reviewed = doc.get('reviewed', true);
  }
  if (!isMap(reviewed)) throw new Error('unreachable: reviewed is a map');
  reviewed.flow = false;
  for (const { value, canonical } of decisions) {
    const trimmed = value.trim();
    if (!trimmed) throw new ConfigError('dictionary.blank_value', 'a reviewed value must not be blank', { location: { file } });
    reviewed.set(trimmed, canonical);
  }
  // Flow lists stay as people write them: `[a, b]`, not `[ a, b ]`.
  const edited = doc.toString({ flowCollectionPadding: false });
  const dictionary = checkDictionary(name, file, parseYamlText(edited, dictionaryFileSchema, file));
  // Written aside and renamed, so a run reading the dictionary never sees half a file.
  const staged = `${absolute}.${process.pid}.tmp`;
  writeFileSync(staged, edited);
  renameSync(staged, absolute);
  return dictionary;
}
