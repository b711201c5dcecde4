import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Document } from 'yaml';
import { parseYamlText } from '../core/config/parse-yaml-file.ts';
import { ConfigError } from '../core/errors.ts';
import { listPipelines, loadPipeline, pipelinePath } from '../core/pipeline/load-pipeline.ts';
import type { Pipeline } from '../core/pipeline/pipeline.ts';
import { pipelineFileSchema, pipelineNamePattern, pipelineNameRule } from '../core/pipeline/pipeline-schema.ts';
import { parsePipelineDocument } from './pipeline-document.ts';
import { resolveProjectPath } from './resolve-project-path.ts';

/** File changes that go with a pipeline edit; undone if the edited pipeline does not load. */
export interface FileChanges {
  /** New files; an existing one is an error. */
  readonly write?: readonly { readonly path: string; readonly content: string }[];
  /** Existing files rewritten (a renamed block's readers), put back if the edit fails. */
  readonly update?: readonly { readonly path: string; readonly content: string }[];
  readonly remove?: readonly string[];
  readonly rename?: readonly { readonly from: string; readonly to: string }[];
}

/** The pipeline file of an existing pipeline (`.yaml` or `.yml`). */
export function pipelineFileOf(root: string, name: string): string {
  if (!pipelineNamePattern.test(name)) throw new ConfigError('pipeline.bad_name', `'${name}' is not a pipeline name: ${pipelineNameRule}`);
  const yaml = pipelinePath(root, name);
  const yml = yaml.replace(/\.yaml$/, '.yml');
  if (existsSync(yaml)) return yaml;
  if (existsSync(yml)) return yml;
  throw new ConfigError('pipeline.not_found', `no pipeline '${name}' (expected pipelines/${name}.yaml)`);
}

export function createPipelineFile(root: string, name: string, description?: string): string {
  if (!pipelineNamePattern.test(name)) throw new ConfigError('pipeline.bad_name', `'${name}' is not a pipeline name: ${pipelineNameRule}`);
  if (listPipelines(root).includes(name)) throw new ConfigError('pipeline.exists', `pipeline '${name}' already exists`);
  const file = pipelinePath(root, name);
  mkdirSync(path.dirname(file), { recursive: true });
  const header = description ? `description: ${JSON.stringify(description)}\n` : '';
  writeFileSync(file, `${header}blocks: []\n`, { flag: 'wx' });
  return file;
}

export function deletePipelineFile(root: string, name: string): void {
  rmSync(pipelineFileOf(root, name));
}

/**
 * Applies `edit` to the pipeline file's YAML document and `edit`'s file
 * changes, then loads the pipeline: when it no longer loads (a bad upstream,
 * a cycle, a missing file), everything is put back and the error thrown.
 */
export function editPipeline(root: string, name: string, edit: (doc: Document) => FileChanges | void): Pipeline {
  const file = pipelineFileOf(root, name);
  const shown = path.relative(root, file);
  const before = readFileSync(file, 'utf8');
  const doc = parsePipelineDocument(before, shown);
  const changes = edit(doc) ?? {};
  const after = doc.toString();
  parseYamlText(after, pipelineFileSchema, shown);
  const undo = applyFileChanges(root, changes);
  writeFileSync(file, after);
  try {
    return loadPipeline(root, name);
  } catch (error) {
    writeFileSync(file, before);
    undo();
    throw error;
  }
}

function applyFileChanges(root: string, changes: FileChanges): () => void {
  const undo: (() => void)[] = [];
  const resolve = (p: string) => resolveProjectPath(root, p);
  try {
    for (const { from, to } of changes.rename ?? []) {
      const [a, b] = [resolve(from), resolve(to)];
      if (!existsSync(a)) continue;
      if (existsSync(b)) throw new ConfigError('files.exists', `${to} already exists`);
      mkdirSync(path.dirname(b), { recursive: true });
      renameSync(a, b);
      undo.push(() => renameSync(b, a));
    }
    for (const { path: p, content } of changes.write ?? []) {
      const target = resolve(p);
      if (existsSync(target)) throw new ConfigError('files.exists', `${p} already exists; pick another block name`);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, content, { flag: 'wx' });
      undo.push(() => rmSync(target, { force: true }));
    }
    for (const { path: p, content } of changes.update ?? []) {
      const target = resolve(p);
      const kept = readFileSync(target);
      writeFileSync(target, content);
      undo.push(() => writeFileSync(target, kept));
    }
    for (const p of changes.remove ?? []) {
      const target = resolve(p);
      if (!existsSync(target)) continue;
      const kept = readFileSync(target);
      rmSync(target);
      undo.push(() => writeFileSync(target, kept));
    }
  } catch (error) {
    for (const step of undo.reverse()) step();
    throw error;
  }
  return () => {
    for (const step of undo.reverse()) step();
  };
}
