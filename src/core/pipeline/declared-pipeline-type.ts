import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';

/**
 * The kind a pipeline file declares (`kind: integration`, `kind: streaming`,
 * or the old spelling `type:`), read
 * cheaply before the full parse; undefined for a block pipeline, or a file
 * that cannot be read or parsed (which then gets the full parse's located error).
 */
export function declaredPipelineType(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    if (!/^(kind|type)\s*:/m.test(text)) return undefined;
    const top = parseDocument(text, { prettyErrors: false }).toJS() as { kind?: unknown; type?: unknown } | null;
    const kind = top?.kind ?? top?.type;
    return typeof kind === 'string' ? kind : undefined;
  } catch {
    return undefined;
  }
}
