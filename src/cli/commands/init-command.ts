import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../core/errors.ts';
import { bold, type Output } from '../output.ts';
import { packageDir } from '../package-dir.ts';
import { UsageError } from '../usage-error.ts';
import { initGit } from './init-git.ts';

const examplesDir = path.join(packageDir, 'examples');

const gitignore = `# Sluice's local state: run history, stored block outputs, the embedded warehouse
.sluice/
node_modules/
.env
`;

// Blocks are ES modules; this also lets `npm install sluice` give editors the block API's types.
const packageJson = (name: string): string =>
  `${JSON.stringify({ name, private: true, type: 'module', description: 'A Sluice project' }, null, 2)}\n`;

const blank = {
  'sluice.yaml': (name: string) => `name: ${name}\nwarehouse: .sluice/warehouse.duckdb\n`,
  'connections.yaml': () => `# Named connections; values may read the environment with \${NAME}.\nconnections: {}\n`,
  'pipelines/hello.yaml': () =>
    `description: A first pipeline; replace it with your own.\nblocks:\n  - name: greetings\n    file: blocks/greetings.sql\n`,
  'blocks/greetings.sql': () => `SELECT 'hello' AS word, 1 AS n\nUNION ALL\nSELECT 'sluice', 2\n`,
};

// What a folder may already hold and still be a new project's: a git repository, or Sluice itself
// just installed there (`npm install sluice`, then `npx sluice init`).
const keptInPlace = new Set(['.git', 'node_modules', 'package.json', 'package-lock.json']);

export function listExamples(): string[] {
  return existsSync(examplesDir) ? readdirSync(examplesDir).filter((d) => existsSync(path.join(examplesDir, d, 'sluice.yaml'))) : [];
}

/** `sluice init [dir] [--example NAME]`: a new project folder, under git, ready to run. */
export function initCommand(dir: string | undefined, options: { example?: string }, out: Output): number {
  const target = path.resolve(dir ?? '.');
  if (existsSync(target) && readdirSync(target).some((f) => !keptInPlace.has(f))) {
    throw new ConfigError('init.not_empty', `${target} is not empty; choose a new folder (one holding only package.json and node_modules is fine)`);
  }
  const name = path.basename(target).replace(/[^A-Za-z0-9_-]/g, '_') || 'project';
  mkdirSync(target, { recursive: true });
  let firstPipeline = 'hello';
  if (options.example) {
    const source = path.join(examplesDir, options.example);
    if (!listExamples().includes(options.example)) {
      throw new UsageError(`no example '${options.example}' (examples: ${listExamples().join(', ')})`);
    }
    cpSync(source, target, { recursive: true, filter: (src) => !src.split(path.sep).includes('.sluice') });
    firstPipeline = readdirSync(path.join(target, 'pipelines'))[0]?.replace(/\.ya?ml$/, '') ?? firstPipeline;
  } else {
    for (const [file, content] of Object.entries(blank)) {
      mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
      writeFileSync(path.join(target, file), content(name));
    }
  }
  mkdirSync(path.join(target, 'pipelines'), { recursive: true });
  mkdirSync(path.join(target, 'blocks'), { recursive: true });
  writeFileSync(path.join(target, '.gitignore'), gitignore);
  if (!existsSync(path.join(target, 'package.json'))) writeFileSync(path.join(target, 'package.json'), packageJson(name));
  const git = initGit(target);
  out.line(`${bold('Created')} ${target}${options.example ? ` from the ${options.example} example` : ''}${git.repository ? ' (a git repository)' : ''}`);
  if (git.commit) out.line(`Committed the starting files (${git.commit.slice(0, 7)}), so git shows only your own changes from here.`);
  if (git.fallbackAuthor) {
    out.line(`git has no user.name or user.email here, so that first commit is by ${git.fallbackAuthor} (for that commit only).`);
    out.line(`Set yours: git config --global user.name "Your Name" && git config --global user.email you@example.com`);
  }
  const cd = path.relative(process.cwd(), target);
  // An example with a README says how to run it (a streaming one needs its broker and two terminals).
  const readme = options.example && existsSync(path.join(target, 'README.md'));
  out.line(`Next:\n${cd ? `  cd ${cd}\n` : ''}  ${readme ? 'read README.md, then: ' : ''}sluice run ${firstPipeline}`);
  return 0;
}
