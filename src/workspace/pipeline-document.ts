import { isMap, isSeq, parseDocument, type Document, YAMLMap, YAMLSeq } from 'yaml';
import { ConfigError } from '../core/errors.ts';

/**
 * Edits of a pipeline file through the YAML document model, so comments,
 * key order and flow style of everything not edited stay as the user wrote them.
 */
export function parsePipelineDocument(text: string, shown: string): Document {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) throw new ConfigError('config.yaml_syntax', `${shown}: invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, { location: { file: shown } });
  if (doc.contents === null) doc.contents = doc.createNode({}) as never;
  if (!isMap(doc.contents)) throw new ConfigError('config.invalid', `${shown}: a pipeline file is a mapping`, { location: { file: shown } });
  return doc;
}

function blocksOf(doc: Document): YAMLSeq {
  let blocks = doc.get('blocks');
  if (!isSeq(blocks)) {
    blocks = new YAMLSeq();
    doc.set('blocks', blocks);
  }
  return blocks as YAMLSeq;
}

function blockMaps(doc: Document): YAMLMap[] {
  return blocksOf(doc).items.filter((item): item is YAMLMap => isMap(item));
}

export function blockNames(doc: Document): string[] {
  return blockMaps(doc).map((b) => String(b.get('name')));
}

function findBlock(doc: Document, name: string): YAMLMap {
  const found = blockMaps(doc).find((b) => b.get('name') === name);
  if (!found) throw new ConfigError('block.not_found', `no block '${name}' in this pipeline`);
  return found;
}

/** Reads a block's entry as plain data. */
export function blockEntry(doc: Document, name: string): Record<string, unknown> {
  return findBlock(doc, name).toJSON() as Record<string, unknown>;
}

export function addBlock(doc: Document, entry: Readonly<Record<string, unknown>>): void {
  const name = String(entry.name);
  if (blockNames(doc).includes(name)) throw new ConfigError('block.exists', `the pipeline already has a block named '${name}'`);
  const node = doc.createNode(Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined))) as YAMLMap;
  const upstream = node.get('upstream');
  if (isSeq(upstream)) upstream.flow = true;
  const blocks = blocksOf(doc);
  // A new pipeline's `blocks: []` grows into a block list, one block per item.
  blocks.flow = false;
  blocks.add(node);
}

/** Sets, or with `undefined` removes, the given keys of a block; `settings` is replaced key by key. */
export function updateBlock(doc: Document, name: string, changes: Readonly<Record<string, unknown>>): void {
  const block = findBlock(doc, name);
  for (const [key, value] of Object.entries(changes)) {
    if (key === 'settings' && value && typeof value === 'object') {
      setMapKeys(doc, block, 'settings', value as Record<string, unknown>);
    } else if (value === undefined) {
      block.delete(key);
    } else {
      const node = doc.createNode(value);
      if (isSeq(node)) node.flow = true;
      block.set(key, node);
    }
  }
}

/**
 * Sets a clean block's columns (`clean:`): each column to its tool and settings.
 * Columns and settings that do not change keep their place and comments; a new
 * column is written on one line, as `{ tool: dates, day_first: true }`.
 */
export function setCleanColumns(doc: Document, name: string, columns: Readonly<Record<string, Readonly<Record<string, unknown>>>>): void {
  const block = findBlock(doc, name);
  const clean = block.get('clean');
  if (!isMap(clean)) throw new ConfigError('block.not_clean', `block '${name}' is not a clean block (it has no clean:)`);
  for (const item of [...clean.items]) {
    if (!Object.hasOwn(columns, String(isScalarValue(item.key)))) clean.delete(item.key);
  }
  for (const [column, spec] of Object.entries(columns)) {
    if (isMap(clean.get(column))) {
      setMapKeys(doc, clean, column, spec);
      continue;
    }
    const node = doc.createNode(spec) as YAMLMap;
    node.flow = true;
    clean.set(column, node);
  }
}

/**
 * Sets the settings under a no-code block's `dedupe:`, `prepare:` or `examples:`. Settings
 * that do not change keep their place and comments; a changed one is written
 * with its small parts on one line (`split: { by: time, column: placed, ... }`).
 */
export function setNoCodeSettings(doc: Document, name: string, key: 'dedupe' | 'prepare' | 'examples', settings: Readonly<Record<string, unknown>>): void {
  const block = findBlock(doc, name);
  const target = block.get(key);
  if (!isMap(target)) throw new ConfigError(`block.not_${key}`, `block '${name}' is not a ${key} block (it has no ${key}:)`);
  mergeMap(doc, target, settings);
}

/** Sets a map's keys to `values`, going into the maps both sides have, so what did not change keeps its line and comment. */
function mergeMap(doc: Document, target: YAMLMap, values: Readonly<Record<string, unknown>>): void {
  for (const item of [...target.items]) {
    if (!Object.hasOwn(values, String(isScalarValue(item.key)))) target.delete(item.key);
  }
  for (const [key, value] of Object.entries(values)) {
    const current = target.get(key, true);
    if (JSON.stringify((current as { toJSON?: () => unknown } | undefined)?.toJSON?.() ?? current) === JSON.stringify(value)) continue;
    if (isMap(current) && !current.flow && value !== null && typeof value === 'object' && !Array.isArray(value)) mergeMap(doc, current, value as Record<string, unknown>);
    else target.set(key, compact(doc.createNode(value)));
  }
}

/** A map or list of plain values goes on one line; a map holding maps keeps one entry per line. */
function compact(node: unknown): unknown {
  if (isMap(node) || isSeq(node)) {
    const items = isMap(node) ? node.items.map((item) => item.value) : node.items;
    const nested = items.filter((item) => isMap(item));
    if (nested.length === 0) node.flow = true;
    else for (const item of items) compact(item);
  }
  return node;
}

/** Renames a block and every upstream reference to it. */
export function renameBlock(doc: Document, from: string, to: string): void {
  if (from === to) return;
  if (blockNames(doc).includes(to)) throw new ConfigError('block.exists', `the pipeline already has a block named '${to}'`);
  findBlock(doc, from).set('name', to);
  for (const block of blockMaps(doc)) {
    const upstream = block.get('upstream');
    if (!isSeq(upstream)) continue;
    upstream.items.forEach((item, i) => {
      if (String(isScalarValue(item)) === from) upstream.set(i, doc.createNode(to));
    });
  }
}

/** Removes a block and every upstream reference to it. */
export function removeBlock(doc: Document, name: string): void {
  const blocks = blocksOf(doc);
  const index = blocks.items.findIndex((item) => isMap(item) && item.get('name') === name);
  if (index < 0) throw new ConfigError('block.not_found', `no block '${name}' in this pipeline`);
  blocks.delete(index);
  for (const block of blockMaps(doc)) {
    const upstream = block.get('upstream');
    if (!isSeq(upstream)) continue;
    for (let i = upstream.items.length - 1; i >= 0; i--) if (String(isScalarValue(upstream.items[i])) === name) upstream.delete(i);
  }
}

export interface TriggerChanges {
  /** `null` removes the schedule. */
  readonly schedule?: Readonly<Record<string, unknown>> | null | undefined;
  readonly scheduleEnabled?: boolean | undefined;
  readonly apiEnabled?: boolean | undefined;
  /** `null` removes the file-arrival trigger. */
  readonly onFile?: Readonly<Record<string, unknown>> | null | undefined;
}

export function setTriggers(doc: Document, changes: TriggerChanges): void {
  if (changes.schedule === null) doc.delete('schedule');
  else if (changes.schedule !== undefined) {
    const current = doc.get('schedule');
    if (isMap(current)) setMapKeys(doc, doc.contents as YAMLMap, 'schedule', changes.schedule);
    else doc.set('schedule', doc.createNode(changes.schedule));
  }
  if (changes.scheduleEnabled !== undefined) {
    if (!isMap(doc.get('schedule'))) throw new ConfigError('trigger.no_schedule', 'the pipeline has no schedule to enable or disable');
    doc.setIn(['schedule', 'enabled'], changes.scheduleEnabled);
  }
  if (changes.apiEnabled !== undefined) {
    if (changes.apiEnabled) doc.delete('api');
    else doc.set('api', doc.createNode({ enabled: false }));
  }
  if (changes.onFile === null) doc.delete('on_file');
  else if (changes.onFile !== undefined) doc.set('on_file', doc.createNode(changes.onFile));
}

/** Makes `parent[key]` hold exactly `values`, touching only the keys that change. */
function setMapKeys(doc: Document, parent: YAMLMap, key: string, values: Readonly<Record<string, unknown>>): void {
  const map = parent.get(key);
  if (!isMap(map)) {
    parent.set(key, doc.createNode(values));
    return;
  }
  const target = map as YAMLMap;
  for (const item of [...target.items]) {
    const k = String(isScalarValue(item.key));
    if (!(k in values)) target.delete(item.key);
  }
  for (const [k, v] of Object.entries(values)) {
    if (JSON.stringify((target.get(k, true) as { toJSON?: () => unknown } | undefined)?.toJSON?.() ?? target.get(k)) === JSON.stringify(v)) continue;
    target.set(k, doc.createNode(v));
  }
}

function isScalarValue(node: unknown): unknown {
  return node && typeof node === 'object' && 'value' in node ? (node as { value: unknown }).value : node;
}
