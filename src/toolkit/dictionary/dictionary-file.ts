import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseYamlFile, type ParsedYaml } from '../../core/config/parse-yaml-file.ts';
import { ConfigError } from '../../core/errors.ts';
import { dictionaryKey } from './dictionary-key.ts';

/** Dictionaries live in the project, one file each: `dictionaries/NAME.yaml`. */
export const dictionariesFolder = 'dictionaries';

/** A dictionary name is a file name, never a path, so it cannot lead out of `dictionaries/`. */
export const dictionaryNamePattern = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

const text = z.string().trim().min(1, 'must not be blank');

/**
 * The file as written:
 *
 * ```yaml
 * values:                      # canonical value -> the other ways it is written
 *   Home & Garden: [House and Garden, Home/Garden]
 *   Toys: []
 * reviewed:                    # decisions taken in review: value -> canonical, or null for "not in this dictionary"
 *   Hom & Gardn: Home & Garden
 *   gift card: null
 * ```
 */
export const dictionaryFileSchema = z.strictObject({
  description: z.string().optional(),
  values: z.record(text, z.array(text).nullable()).refine((values) => Object.keys(values).length > 0, 'a dictionary needs at least one canonical value'),
  reviewed: z.record(text, text.nullable()).nullable().optional(),
});

export type DictionaryFile = z.output<typeof dictionaryFileSchema>;

/** One canonical value and every other way it is written. */
export interface DictionaryEntry {
  readonly canonical: string;
  readonly variants: readonly string[];
}

/** A dictionary, checked: every variant and decision names exactly one canonical value. */
export interface Dictionary {
  readonly name: string;
  /** The file, relative to the project root, for messages. */
  readonly file: string;
  readonly entries: readonly DictionaryEntry[];
  /** Decisions from review: a value and the canonical value it stands for, or null when it stands for none. */
  readonly reviewed: ReadonlyMap<string, string | null>;
}

/** `dictionaries/NAME.yaml`, relative to the project root; refuses a name that is not a plain file name. */
export function dictionaryFile(name: string): string {
  if (!dictionaryNamePattern.test(name)) {
    throw new ConfigError('dictionary.bad_name', `'${name}' is not a dictionary name: use letters, digits, '_' and '-' (the file is ${dictionariesFolder}/NAME.yaml)`);
  }
  return `${dictionariesFolder}/${name}.yaml`;
}

/** The names of the project's dictionaries: the `dictionaries/*.yaml` files with a dictionary's name. */
export function listDictionaries(root: string): string[] {
  let files: string[];
  try {
    files = readdirSync(path.join(root, dictionariesFolder));
  } catch {
    return [];
  }
  return files.filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)).filter((n) => dictionaryNamePattern.test(n)).sort();
}

/**
 * Reads and checks `dictionaries/NAME.yaml`. Errors name the file and line: a
 * variant two canonical values claim, a decision naming a value the dictionary
 * does not have.
 */
export function loadDictionary(root: string, name: string): Dictionary {
  const file = dictionaryFile(name);
  const absolute = path.join(root, file);
  if (!existsSync(absolute)) throw new ConfigError('dictionary.not_found', `no dictionary '${name}': ${file} does not exist`, { location: { file } });
  return checkDictionary(name, file, parseYamlFile(absolute, dictionaryFileSchema, file));
}

/** Builds a dictionary from its parsed file, refusing writings that would map one value two ways. */
export function checkDictionary(name: string, file: string, parsed: Pick<ParsedYaml<DictionaryFile>, 'data'> & Partial<Pick<ParsedYaml<DictionaryFile>, 'locate'>>): Dictionary {
  const { data } = parsed;
  const where = (at: (string | number)[]) => parsed.locate?.(at) ?? { file };
  const owner = new Map<string, string>();
  const claim = (writing: string, canonical: string, at: (string | number)[]): void => {
    const key = dictionaryKey(writing);
    const other = owner.get(key);
    if (other !== undefined && other !== canonical) {
      throw new ConfigError('dictionary.conflict', `'${writing}' is written like '${other}' and so cannot also stand for '${canonical}'`, { location: where(at) });
    }
    owner.set(key, canonical);
  };
  const entries = Object.entries(data.values).map(([canonical, variants]) => {
    claim(canonical, canonical, ['values', canonical]);
    (variants ?? []).forEach((variant, i) => claim(variant, canonical, ['values', canonical, i]));
    return { canonical, variants: variants ?? [] };
  });
  const reviewed = new Map<string, string | null>();
  for (const [value, canonical] of Object.entries(data.reviewed ?? {})) {
    if (canonical !== null && !Object.hasOwn(data.values, canonical)) {
      throw new ConfigError('dictionary.unknown_value', `reviewed '${value}' as '${canonical}', which is not a value of the dictionary (values: ${Object.keys(data.values).slice(0, 10).join(', ')})`, { location: where(['reviewed', value]) });
    }
    if (canonical !== null) claim(value, canonical, ['reviewed', value]);
    else if (owner.has(dictionaryKey(value))) {
      throw new ConfigError('dictionary.conflict', `reviewed '${value}' as in no value, but it is written like '${owner.get(dictionaryKey(value))!}'`, { location: where(['reviewed', value]) });
    }
    reviewed.set(value, canonical);
  }
  return { name, file, entries, reviewed };
}
