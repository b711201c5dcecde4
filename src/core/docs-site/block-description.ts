import { readFileSync } from 'node:fs';
import type { Block } from '../pipeline/pipeline.ts';

/**
 * What a block is for, from the project's files: its YAML `description:`, else
 * the comment its SQL or TypeScript file opens with (`--` lines, `//` lines or
 * a `/** … *\/` block).
 */
export function blockDescription(block: Block): string {
  if (block.description) return block.description;
  if (!('file' in block)) return '';
  let text: string;
  try {
    text = readFileSync(block.file, 'utf8');
  } catch {
    return '';
  }
  return leadingComment(text, block.language === 'sql' ? /^\s*--\s?(.*)$/ : /^\s*\/\/\s?(.*)$/);
}

function leadingComment(text: string, linePattern: RegExp): string {
  const doc = /^\s*\/\*\*?([\s\S]*?)\*\//.exec(text);
  if (doc) return doc[1]!.split('\n').map((l) => l.replace(/^\s*\*\s?/, '').trim()).filter(Boolean).join(' ');
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    const m = linePattern.exec(line);
    if (!m) break;
    lines.push(m[1]!.trim());
  }
  return lines.filter(Boolean).join(' ');
}
