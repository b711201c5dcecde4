import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';

/** A completion-style example. */
export interface PromptCompletion {
  readonly prompt: string;
  readonly completion: string;
}

/** A chat-style example, as chat fine-tuning reads it. */
export interface ChatExample {
  readonly messages: readonly { readonly role: 'system' | 'user' | 'assistant' | 'tool'; readonly content: string }[];
}

export type TrainingExample = PromptCompletion | ChatExample;

export interface WriteTrainingOptions {
  /** Where the training examples go (`.jsonl`). */
  readonly trainPath: string;
  /** Where the validation examples go (`.jsonl`). */
  readonly validationPath: string;
  /** The share of examples held out for validation, 0 to 1 (default 0.1). */
  readonly validationShare?: number | undefined;
  /** The same seed puts the same example on the same side, whatever the order or number of examples (default 0). */
  readonly seed?: number | string | undefined;
}

export interface WrittenTraining {
  readonly train: number;
  readonly validation: number;
}

/**
 * Writes examples as JSON Lines into a training and a validation file, one
 * example a line, as fine-tuning APIs read them. Each example goes to a side
 * by a hash of the seed and its content, so a rerun (or a run with more
 * examples) splits the same examples the same way. Lines are streamed to the
 * files as the examples come, waiting when the disk is behind, so a large set
 * is never held as one string. An example of neither shape is refused, naming
 * its position.
 *
 * ```ts
 * await writeTrainingJsonl(examples, { trainPath: 'out/train.jsonl', validationPath: 'out/validation.jsonl', validationShare: 0.1, seed: 7 });
 * // { train: 9012, validation: 988 }
 * ```
 */
export async function writeTrainingJsonl(examples: Iterable<TrainingExample> | AsyncIterable<TrainingExample>, options: WriteTrainingOptions): Promise<WrittenTraining> {
  const share = options.validationShare ?? 0.1;
  if (!(share >= 0 && share <= 1)) throw new RangeError(`validationShare must be between 0 and 1 (got ${share})`);
  const seed = String(options.seed ?? 0);
  const train = openJsonl(options.trainPath);
  const validation = openJsonl(options.validationPath);
  const counts = { train: 0, validation: 0 };
  try {
    let position = 0;
    for await (const example of examples) {
      const line = `${JSON.stringify(checkedExample(example, position++))}\n`;
      const held = share > 0 && sideOf(seed, line) < share;
      await writeLine(held ? validation : train, line);
      counts[held ? 'validation' : 'train']++;
    }
  } finally {
    await Promise.all([close(train), close(validation)]);
  }
  return counts;
}

/** Only the fields of the example's shape are written, so stray fields never reach the training set. */
export function checkedExample(example: TrainingExample, position: number): TrainingExample {
  if (example && 'messages' in example && Array.isArray(example.messages)) {
    for (const [i, message] of example.messages.entries()) {
      if (typeof message?.content !== 'string' || !['system', 'user', 'assistant', 'tool'].includes(message.role)) {
        throw new TypeError(`example ${position}: message ${i} needs a role (system, user, assistant or tool) and text content`);
      }
    }
    return { messages: example.messages.map(({ role, content }) => ({ role, content })) };
  }
  if (example && typeof (example as PromptCompletion).prompt === 'string' && typeof (example as PromptCompletion).completion === 'string') {
    return { prompt: (example as PromptCompletion).prompt, completion: (example as PromptCompletion).completion };
  }
  throw new TypeError(`example ${position} is neither { prompt, completion } with text nor { messages: [...] }`);
}

/**
 * A number in [0, 1) from the seed and the example's JSON line: the same for
 * the same pair, everywhere. Under the validation share, the example is held out.
 */
export function sideOf(seed: string, line: string): number {
  return createHash('sha1').update(seed).update('\0').update(line).digest().readUInt32BE(0) / 2 ** 32;
}

function openJsonl(file: string): WriteStream {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  return createWriteStream(file, { encoding: 'utf8' });
}

async function writeLine(stream: WriteStream, line: string): Promise<void> {
  // `once` rejects if the stream fails while waiting, so a full disk ends the write with its error.
  if (!stream.write(line)) await once(stream, 'drain');
}

async function close(stream: WriteStream): Promise<void> {
  if (stream.destroyed) return;
  stream.end();
  await once(stream, 'finish');
}
