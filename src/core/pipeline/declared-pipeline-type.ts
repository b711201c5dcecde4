import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';

/**
 * The `type:` a pipeline file declares (`integration`, `streaming`), read
 * cheaply before the full parse; undefined for a block pipeline, or a file
 * that cannot be read or parsed (which then gets the full parse's located error).
 */
export function declaredPipelineType(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    if (!/^type\s*:/m.test(text)) return undefined;
    const type = (parseDocument(text, { prettyErrors: false }).toJS() as { type?: unknown } | null)?.type;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}
