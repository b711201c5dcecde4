import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fallbackGitAuthor } from '../../workspace/git.ts';

export interface InitGitResult {
  /** Whether the folder is a git repository. */
  readonly repository: boolean;
  /** The first commit's id, when one was made. */
  readonly commit?: string;
  /** Set when git knows no user here and the first commit used Sluice's own identity. */
  readonly fallbackAuthor?: string;
}

const run = (dir: string, args: readonly string[]): string => execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' }).trim();
const configured = (dir: string, key: string): boolean => {
  try {
    return run(dir, ['config', key]) !== '';
  } catch {
    // git config exits 1 when the key is unset.
    return false;
  }
};

/**
 * Makes `dir` a git repository and commits the files init wrote, so what the
 * user changes afterwards is all that git (and the UI's git page) shows.
 * A machine with no git identity still gets the commit: Sluice's identity is
 * passed for that one command only, never written to any git config.
 */
export function initGit(dir: string): InitGitResult {
  try {
    if (!existsSync(path.join(dir, '.git'))) run(dir, ['init', '--quiet']);
  } catch {
    // git is optional: the project works without it.
    return { repository: false };
  }
  const hasName = configured(dir, 'user.name') || !!process.env.GIT_AUTHOR_NAME;
  const hasEmail = configured(dir, 'user.email') || !!process.env.GIT_AUTHOR_EMAIL || !!process.env.EMAIL;
  const identity = [...(hasName ? [] : ['-c', `user.name=${fallbackGitAuthor.name}`]), ...(hasEmail ? [] : ['-c', `user.email=${fallbackGitAuthor.email}`])];
  try {
    run(dir, ['add', '--all', '--', '.']);
    run(dir, [...identity, 'commit', '--quiet', '--no-verify', '-m', 'Start the project with sluice init']);
    const commit = run(dir, ['rev-parse', 'HEAD']);
    return { repository: true, commit, ...(identity.length ? { fallbackAuthor: run(dir, [...identity, 'log', '-1', '--format=%an <%ae>']) } : {}) };
  } catch {
    // The files are there either way; the user can commit them.
    return { repository: true };
  }
}
