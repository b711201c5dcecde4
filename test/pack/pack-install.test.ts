// Packs Sluice as npm would publish it, installs the tarball into an empty folder and uses it
// there as a newcomer would: `npx sluice`, a project made with `npx sluice init`, a TypeScript
// block type-checked against the installed types, the web UI, and the library from plain node.
// Minutes of work, so it runs only with SLUICE_PACK_TEST=1 (`npm run test:pack`, and in CI).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../src/testing/wait-for.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const enabled = process.env.SLUICE_PACK_TEST === '1';
const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a command to its end; never throws, so a test can show what it printed. */
function run(command: string, args: readonly string[], cwd: string): Promise<Ran> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...process.env, CI: '1', NO_COLOR: '1', NODE_OPTIONS: '' }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, ms: Date.now() - started });
    });
  });
}

function ok(result: Ran, what: string): Ran {
  assert.equal(result.code, 0, `${what} failed:\n${result.stdout}\n${result.stderr}`);
  return result;
}

describe('the packed tarball, installed into an empty folder', { skip: enabled ? false : 'set SLUICE_PACK_TEST=1 to pack and install Sluice (minutes)' }, () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sluice-pack-'));
  const app = path.join(work, 'app');
  let files: string[] = [];
  after(() => rmSync(work, { recursive: true, force: true }));

  before(async () => {
    // `npm pack` runs prepack (the block API's .d.ts) and prepare (the web UI), as publishing does.
    const pack = ok(await run('npm', ['pack', '--json', '--pack-destination', work], repoRoot), 'npm pack');
    const [packed] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    files = packed!.files.map((f) => f.path);
    console.log(`npm pack: ${(pack.ms / 1000).toFixed(1)} s, ${files.length} files`);

    mkdirSync(app);
    // The dependencies' own install steps (compiling better-sqlite3 takes minutes on two cores) are
    // proven by `npm ci`; skip them and reuse the module it compiled, for this same Node.js.
    const install = ok(await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', path.join(work, packed!.filename)], app), 'npm install');
    console.log(`npm install: ${(install.ms / 1000).toFixed(1)} s`);
    const compiled = path.join(realpathSync(path.join(repoRoot, 'node_modules/better-sqlite3')), 'build/Release');
    const target = path.join(app, 'node_modules/better-sqlite3/build/Release');
    mkdirSync(target, { recursive: true });
    for (const name of readdirSync(compiled).filter((f) => f.endsWith('.node'))) copyFileSync(path.join(compiled, name), path.join(target, name));
  });

  it('holds the entries, the web UI, the types and the examples, and no tests', () => {
    for (const file of ['bin/sluice.js', 'lib/index.js', 'lib/register-loaders.js', 'src/index.ts', 'web/dist/index.html', 'dist/types/index.d.ts', 'dist/cli/manifest.json', 'examples/sales/sluice.yaml', 'examples/function-handler/handler.mjs']) {
      assert.ok(files.includes(file), `${file} is in the tarball`);
    }
    assert.deepEqual(files.filter((f) => f.endsWith('.test.ts') || f.startsWith('src/testing/')), []);
  });

  it('starts the command from its bundle: every source in the tarball matches it', async () => {
    const checker = pathToFileURL(path.join(app, 'node_modules', 'sluice', 'lib', 'cli-bundle.js')).href;
    const check = ok(await run(process.execPath, ['--input-type=module', '-e', `const { freshCliBundle } = await import('${checker}'); console.log(JSON.stringify(freshCliBundle() ?? null));`], app), 'the bundle check');
    assert.match(check.stdout, /"cli":"file:.*\/node_modules\/sluice\/dist\/cli\/cli\.js"/);
  });

  it('answers npx sluice --help', async () => {
    const help = ok(await run('npx', ['--no', '--', 'sluice', '--help'], app), 'npx sluice --help');
    assert.match(help.stdout, /Usage: sluice/);
    assert.match(help.stdout, /run \[options\] <pipeline>/);
  });

  it('starts a project in place with npx sluice init and runs it, TypeScript block included', async () => {
    ok(await run('npx', ['--no', '--', 'sluice', 'init'], app), 'npx sluice init');
    const hello = ok(await run('npx', ['--no', '--', 'sluice', 'run', 'hello'], app), 'npx sluice run hello');
    assert.match(hello.stdout, /Run succeeded/);

    writeFileSync(path.join(app, 'blocks/doubled.ts'), [
      "import { defineTransformer, type TableHandle } from 'sluice';",
      '',
      'export default defineTransformer<{ greetings: TableHandle<{ word: string; n: number }> }>(async ({ greetings }) => {',
      '  const rows = await greetings.collect();',
      '  return rows.map((row) => ({ word: row.word.toUpperCase(), n: row.n * 2 }));',
      '});',
      '',
    ].join('\n'));
    writeFileSync(path.join(app, 'pipelines/doubled.yaml'), 'blocks:\n  - name: greetings\n    file: blocks/greetings.sql\n  - name: doubled\n    file: blocks/doubled.ts\n    upstream: [greetings]\n');
    const doubled = ok(await run('npx', ['--no', '--', 'sluice', 'run', 'doubled'], app), 'npx sluice run doubled');
    assert.match(doubled.stdout, /doubled\s+transformer\s+2 in → 2 out/);
  });

  it("type-checks a block against the installed package's types, and catches a wrong one", async () => {
    writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, noEmit: true }, include: ['blocks'] }));
    ok(await run(process.execPath, [tsc, '-p', '.'], app), 'tsc on the blocks');
    writeFileSync(path.join(app, 'blocks/wrong.ts'), "import { defineTransformer, type TableHandle } from 'sluice';\nexport default defineTransformer<{ t: TableHandle<{ n: number }> }>(async ({ t }) => (await t.collect()).map((row) => row.n.toUpperCase()));\n");
    const wrong = await run(process.execPath, [tsc, '-p', '.'], app);
    rmSync(path.join(app, 'blocks/wrong.ts'));
    assert.equal(wrong.code, 2, wrong.stdout);
    assert.match(wrong.stdout, /blocks\/wrong\.ts\(2,\d+\): error TS2339: Property 'toUpperCase' does not exist on type 'number'/);
  });

  it('runs a pipeline through the library from a plain node program', async () => {
    writeFileSync(path.join(app, 'run.mjs'), [
      "import { openProject } from 'sluice';",
      "const project = await openProject('.');",
      "const run = await project.runPipeline('doubled');",
      'await project.close();',
      'console.log(JSON.stringify({ status: run.status, rows: run.blocks.map((b) => [b.block, b.rowsOut]) }));',
    ].join('\n'));
    const library = ok(await run(process.execPath, ['run.mjs'], app), 'node run.mjs');
    const result = JSON.parse(library.stdout) as { status: string; rows: [string, number][] };
    assert.equal(result.status, 'succeeded');
    assert.deepEqual(result.rows, [['greetings', 2], ['doubled', 2]]);
  });

  it('serves the web UI from the installed package', async (t) => {
    const server = spawn(path.join(app, 'node_modules/.bin/sluice'), ['serve', '--port', '0', '--no-scheduler'], { cwd: app, env: { ...process.env, CI: '1', NO_COLOR: '1', NODE_OPTIONS: '' } });
    t.after(() => server.kill());
    let printed = '';
    server.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    server.stderr.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const base = await waitFor(() => /UI and API on (http:\/\/\S+)/.exec(printed)?.[1], { what: 'sluice serve to listen', giveUpWhen: () => (server.exitCode !== null ? `it exited: ${printed}` : undefined) });
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="root">/);
    assert.ok(existsSync(path.join(app, 'node_modules/sluice/web/dist/index.html')));
  });
});
