import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { registerSecret } from '../core/project/secrets.ts';
import { createJsonOutput } from './output.ts';

function capture(): { stream: PassThrough; lines: () => Record<string, unknown>[] } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, lines: () => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('--log-format json', () => {
  const at = new Date('2026-03-01T10:00:00.000Z');

  it('writes one JSON object a line with time, level, run, block and message', async () => {
    const out = capture();
    const err = capture();
    const output = createJsonOutput(out.stream, err.stream, () => at);
    output.line('✓ daily run-1 succeeded', { run: 'run-1' });
    output.line('loaded "x"\nand more', { run: 'run-2', block: 'load', level: 'warn' });
    output.error('✗ broken: boom', { run: 'run-3' });
    output.status('a transient status line');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(out.lines(), [
      { time: at.toISOString(), level: 'info', run: 'run-1', message: '✓ daily run-1 succeeded' },
      { time: at.toISOString(), level: 'warn', run: 'run-2', block: 'load', message: 'loaded "x"\nand more' },
    ]);
    assert.deepEqual(err.lines(), [{ time: at.toISOString(), level: 'error', run: 'run-3', message: '✗ broken: boom' }]);
    assert.equal(output.tty, false);
  });

  it('drops colour codes and masks secrets', async () => {
    const out = capture();
    registerSecret('s3cr3t-value-for-json-log');
    createJsonOutput(out.stream, out.stream, () => at).line('\x1b[32m✓\x1b[0m token s3cr3t-value-for-json-log');
    await new Promise((resolve) => setImmediate(resolve));
    const [line] = out.lines();
    assert.equal(line?.message, '✓ token ***');
  });
});
