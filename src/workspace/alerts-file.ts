import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isSeq, parseDocument, type Document } from 'yaml';
import { parseYamlText } from '../core/config/parse-yaml-file.ts';
import { ConfigError } from '../core/errors.ts';
import { projectFileName } from '../core/project/load-project.ts';
import { projectFileSchema } from '../core/project/project-schema.ts';
import { editPipeline, pipelineFileOf } from './edit-pipeline.ts';
import { parsePipelineDocument } from './pipeline-document.ts';

/** Whose `alerts:` list: the project's (sluice.yaml) or one pipeline's (its file). */
export type AlertScope = { readonly kind: 'project' } | { readonly kind: 'pipeline'; readonly name: string };

/** An entry of an `alerts:` list as written, `${NAME}` references and all. */
export type AlertEntry = Readonly<Record<string, unknown>>;

function entriesOf(doc: Document): AlertEntry[] {
  const list = doc.get('alerts', true);
  return isSeq(list) ? (list.toJSON() as AlertEntry[]) : [];
}

function setEntries(doc: Document, entries: readonly AlertEntry[]): void {
  if (entries.length) doc.set('alerts', doc.createNode(entries));
  else doc.delete('alerts');
}

/** The scope's alert entries as its file holds them. */
export function readAlertEntries(root: string, scope: AlertScope): AlertEntry[] {
  if (scope.kind === 'pipeline') {
    const file = pipelineFileOf(root, scope.name);
    return entriesOf(parsePipelineDocument(readFileSync(file, 'utf8'), path.relative(root, file)));
  }
  return entriesOf(projectDocument(root));
}

/** Replaces the scope's alert entries, checked with the file's own schema before anything is written. */
export function writeAlertEntries(root: string, scope: AlertScope, entries: readonly AlertEntry[]): void {
  if (scope.kind === 'pipeline') {
    editPipeline(root, scope.name, (doc) => setEntries(doc, entries));
    return;
  }
  const doc = projectDocument(root);
  setEntries(doc, entries);
  const text = doc.toString();
  parseYamlText(text, projectFileSchema, projectFileName);
  writeFileSync(path.join(root, projectFileName), text);
}

function projectDocument(root: string): Document {
  const doc = parseDocument(readFileSync(path.join(root, projectFileName), 'utf8'));
  if (doc.errors.length) throw new ConfigError('config.yaml_syntax', `${projectFileName}: invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, { location: { file: projectFileName } });
  return doc;
}
