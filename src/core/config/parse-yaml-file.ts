import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ErrorLocation } from '../errors.ts';

/**
 * Reads a YAML file and validates it against a zod schema, once, at the
 * boundary. Syntax and schema errors both name `file:line:column`.
 */
export interface ParsedYaml<T> {
  readonly data: T;
  /** Where a value of the document sits, for errors found after parsing. */
  readonly locate: (path: readonly (string | number)[]) => ErrorLocation;
}

export function parseYamlFile<S extends z.ZodType>(file: string, schema: S, displayName = file): ParsedYaml<z.output<S>> {
  return parseYamlText(readConfigText(file, displayName), schema, displayName);
}

/** A configuration file's text; an unreadable file is a ConfigError naming it. */
export function readConfigText(file: string, displayName = file): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError('config.file_unreadable', `cannot read ${displayName}: ${(cause as Error).message}`, {
      cause,
      location: { file: displayName },
    });
  }
}

export function parseYamlText<S extends z.ZodType>(
  text: string,
  schema: S,
  displayName: string,
): ParsedYaml<z.output<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxError = doc.errors[0];
  if (syntaxError) {
    const pos = lineCounter.linePos(syntaxError.pos[0]);
    throw new ConfigError('config.yaml_syntax', `invalid YAML: ${firstLine(syntaxError.message)}`, {
      location: { file: displayName, line: pos.line, column: pos.col },
    });
  }
  const result = schema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const pathText = path.length ? `${path.join('.')}: ` : '';
    throw new ConfigError('config.invalid', `${pathText}${issue.message}`, {
      location: locate(doc, lineCounter, path, displayName),
    });
  }
  return { data: result.data, locate: (path) => locate(doc, lineCounter, path, displayName) };
}

/** Finds the deepest node on `path` that exists, so a missing key points at its parent. */
export function locate(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly (string | number)[],
  file: string,
): ErrorLocation {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) {
      const pos = lineCounter.linePos(node.range[0]);
      return { file, line: pos.line, column: pos.col };
    }
  }
  return { file };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
