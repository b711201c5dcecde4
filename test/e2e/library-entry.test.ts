import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { queryWarehouse, repoRoot, tempDir } from './cli-helpers.ts';

/** Runs a command in a fresh `node` process: no TypeScript loader until Sluice's entry registers one. */
function node(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: repoRoot, env: { ...process.env, NODE_OPTIONS: '', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe("the package entry, from a plain Node.js program", () => {
  const { dir, cleanup } = tempDir('sluice-library-entry-');
  after(cleanup);

  it('exports by name everything src/index.ts exports', async () => {
    const result = await node(['--input-type=module', '-e', `
      const entry = await import('sluice');
      const source = await import('./src/index.ts');
      console.log(JSON.stringify({ entry: Object.keys(entry).sort(), source: Object.keys(source).sort() }));`], {});
    assert.equal(result.code, 0, result.stderr);
    const { entry, source } = JSON.parse(result.stdout) as { entry: string[]; source: string[] };
    assert.deepEqual(entry, source, 'lib/index.js names the same exports as src/index.ts');
    assert.ok(entry.includes('openProject'));
  });

  it('runs the sales example from the function handler example', async () => {
    const project = path.join(dir, 'shop');
    cpSync(path.join(repoRoot, 'examples/sales'), project, { recursive: true, filter: (src) => !src.split(path.sep).includes('.sluice') });
    const result = await node(['examples/function-handler/invoke.mjs', JSON.stringify({ pipeline: 'daily_sales', logicalDate: '2026-12-01' })], { SLUICE_PROJECT: project });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const answer = JSON.parse(result.stdout) as { statusCode: number; body: { status: string; runId: string; blocks: { block: string; status: string; rowsOut?: number }[] } };
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.body.status, 'succeeded');
    assert.equal(answer.body.blocks.length, 9);
    const cleanSales = answer.body.blocks.find((b) => b.block === 'clean_sales')!;
    const [sales] = await queryWarehouse(path.join(project, '.sluice/warehouse.duckdb'), 'SELECT count(*)::INTEGER AS n FROM sales');
    assert.equal(sales!.n, cleanSales.rowsOut);
  });
});
