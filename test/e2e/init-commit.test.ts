import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { sluice, tempDir } from './cli-helpers.ts';

/** An environment where git knows only what `gitconfig` says: no system, global or environment identity. */
function isolatedGit(home: string, gitconfig?: string): NodeJS.ProcessEnv {
  const global = path.join(home, '.gitconfig');
  if (gitconfig !== undefined) writeFileSync(global, gitconfig);
  const env: NodeJS.ProcessEnv = { HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: global };
  for (const name of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL', 'EMAIL']) delete process.env[name];
  return env;
}

const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } }).trim();

describe('sluice init makes a first commit', () => {
  const { dir, cleanup } = tempDir();
  after(cleanup);

  it("commits the starting files as the user's git identity, leaving a clean tree", async () => {
    const home = path.join(dir, 'home-with-user');
    execFileSync('mkdir', ['-p', home]);
    const result = await sluice(dir, ['init', 'mine'], isolatedGit(home, '[user]\n\tname = Ada Analyst\n\temail = ada@example.com\n'));
    assert.equal(result.code, 0, result.stderr);
    const project = path.join(dir, 'mine');
    assert.match(result.stdout, /Committed the starting files \([0-9a-f]{7}\)/);
    assert.doesNotMatch(result.stdout, /no user\.name/);
    assert.equal(git(project, 'status', '--porcelain'), '', 'nothing left to commit');
    assert.equal(git(project, 'log', '--format=%an <%ae>|%s'), 'Ada Analyst <ada@example.com>|Start the project with sluice init');
    assert.match(git(project, 'ls-files'), /^pipelines\/hello\.yaml$/m);
  });

  it('commits with a fallback identity, for that commit only, where git knows no user, and says so', async () => {
    const home = path.join(dir, 'home-without-user');
    execFileSync('mkdir', ['-p', home]);
    const result = await sluice(dir, ['init', 'theirs'], isolatedGit(home));
    assert.equal(result.code, 0, result.stderr);
    const project = path.join(dir, 'theirs');
    assert.equal(git(project, 'log', '--format=%an <%ae>'), 'Sluice <sluice@localhost>');
    assert.match(result.stdout, /git has no user\.name or user\.email here, so that first commit is by Sluice <sluice@localhost>/);
    assert.equal(git(project, 'status', '--porcelain'), '');
    // The identity was passed to that one command: no config file holds it.
    assert.equal(existsSync(path.join(home, '.gitconfig')), false);
    assert.doesNotMatch(execFileSync('git', ['config', '--local', '--list'], { cwd: project, encoding: 'utf8' }), /user\./);
  });

  it('starts a project where Sluice was just installed, keeping package.json and leaving node_modules out of git', async () => {
    const home = path.join(dir, 'home-installed');
    const project = path.join(dir, 'installed');
    mkdirSync(path.join(project, 'node_modules', 'sluice'), { recursive: true });
    mkdirSync(home);
    const own = `${JSON.stringify({ name: 'installed', dependencies: { sluice: 'file:../sluice-0.1.0.tgz' } }, null, 2)}\n`;
    writeFileSync(path.join(project, 'package.json'), own);
    writeFileSync(path.join(project, 'package-lock.json'), '{}\n');
    const result = await sluice(project, ['init'], isolatedGit(home, '[user]\n\tname = Ada Analyst\n\temail = ada@example.com\n'));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(path.join(project, 'package.json'), 'utf8'), own, 'the package.json npm wrote is kept');
    assert.ok(existsSync(path.join(project, 'pipelines/hello.yaml')));
    assert.doesNotMatch(git(project, 'ls-files'), /^node_modules\//m);
    writeFileSync(path.join(project, 'notes.txt'), 'mine\n');
    const again = await sluice(path.join(dir), ['init', 'installed']);
    assert.equal(again.code, 2, 'a folder with other files is still refused');
  });
});
