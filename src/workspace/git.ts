import { execFile } from 'node:child_process';
import { ConfigError } from '../core/errors.ts';
import { projectRelative, resolveProjectPath } from './resolve-project-path.ts';

export interface GitChange {
  readonly path: string;
  /** `modified`, `added`, `deleted`, `renamed`, `untracked` or `conflicted`. */
  readonly status: string;
}

export interface GitStatus {
  readonly branch: string;
  readonly branches: readonly string[];
  readonly changes: readonly GitChange[];
}

/** Sluice's state (tokens, secrets, run history) never reaches a commit, even without a .gitignore. */
export const privatePathspec = ':(exclude).sluice';
/** The identity of a commit made where git knows no user (`sluice init`, the UI). */
export const fallbackGitAuthor = { name: 'Sluice', email: 'sluice@localhost' } as const;

interface GitResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs git with an argument array (never a shell) in the project folder. */
export function git(root: string, args: readonly string[], accept: readonly number[] = [0]): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd: root, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        if (!accept.includes(code)) {
          reject(new ConfigError('git.failed', `git ${args[0]}: ${(stderr || (error as Error | null)?.message || '').trim().split('\n').slice(-3).join(' ')}`));
          return;
        }
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export async function requireRepository(root: string): Promise<void> {
  const inside = await git(root, ['rev-parse', '--is-inside-work-tree'], [0, 128]).catch(() => undefined);
  if (!inside || inside.code !== 0 || inside.stdout.trim() !== 'true') {
    throw new ConfigError('git.not_repository', "the project is not a git repository; run 'git init' in its folder to track changes");
  }
}

export async function hasHead(root: string): Promise<boolean> {
  return (await git(root, ['rev-parse', '--verify', '--quiet', 'HEAD'], [0, 1])).code === 0;
}

export async function gitStatus(root: string): Promise<GitStatus> {
  await requireRepository(root);
  const branch = (await git(root, ['branch', '--show-current'])).stdout.trim();
  const branches = (await git(root, ['branch', '--format=%(refname:short)'])).stdout.split('\n').filter(Boolean);
  if (branch && !branches.includes(branch)) branches.unshift(branch);
  const porcelain = (await git(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', '.', privatePathspec])).stdout;
  // Paths in git's answer start at the repository's root, which may hold the project in a folder.
  const prefix = (await git(root, ['rev-parse', '--show-prefix'])).stdout.trim();
  const changes: GitChange[] = [];
  const entries = porcelain.split('\0');
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.length < 4) continue;
    const code = entry.slice(0, 2);
    const file = entry.slice(3);
    changes.push({ path: file.startsWith(prefix) ? file.slice(prefix.length) : file, status: describe(code) });
    if (code[0] === 'R' || code[0] === 'C') i++;
  }
  return { branch, branches, changes };
}

function describe(code: string): string {
  if (code === '??') return 'untracked';
  if (code.includes('U') || code === 'AA' || code === 'DD') return 'conflicted';
  if (code.includes('R')) return 'renamed';
  if (code.includes('A')) return 'added';
  if (code.includes('D')) return 'deleted';
  return 'modified';
}

/** The diff of one file (or of every change) against the last commit, new files included. */
export async function gitDiff(root: string, file?: string): Promise<string> {
  await requireRepository(root);
  const paths = file ? [relativeChecked(root, file)] : ['.', privatePathspec];
  const base = (await hasHead(root)) ? ['diff', 'HEAD'] : ['diff'];
  let diff = (await git(root, [...base, '--no-color', '--', ...paths])).stdout;
  const untracked = (await git(root, ['ls-files', '--others', '--exclude-standard', '-z', '--', ...paths])).stdout.split('\0').filter(Boolean);
  for (const path of untracked) {
    diff += (await git(root, ['diff', '--no-color', '--no-index', '--', '/dev/null', path], [0, 1])).stdout;
  }
  return diff;
}

/** Commits every change (or the given paths) with `message`; returns the new commit's id. */
export async function gitCommit(root: string, message: string, paths?: readonly string[]): Promise<string> {
  await requireRepository(root);
  if (!message.trim()) throw new ConfigError('git.no_message', 'a commit needs a message');
  const selected = paths?.length ? paths.map((p) => relativeChecked(root, p)) : ['.'];
  await git(root, ['add', '--all', '--', ...selected]);
  // Excluding .sluice in `git add` itself fails when .gitignore already ignores it; unstaging works both ways.
  const staged = (await git(root, ['diff', '--cached', '--name-only', '-z', '--', '.sluice'])).stdout.split('\0').filter(Boolean);
  if (staged.length) await git(root, (await hasHead(root)) ? ['reset', '--quiet', '--', '.sluice'] : ['rm', '--cached', '-r', '--quiet', '--', '.sluice']);
  const pending = await git(root, ['diff', '--cached', '--quiet', '--', ...selected], [0, 1]);
  if (pending.code === 0) throw new ConfigError('git.nothing_to_commit', 'there are no changes to commit');
  const identity = await authorArgs(root);
  await git(root, [...identity, 'commit', '--no-verify', '--quiet', '-m', message, ...(paths?.length ? ['--', ...selected] : [])]);
  return (await git(root, ['rev-parse', 'HEAD'])).stdout.trim();
}

/** The user's git identity, or Sluice's default when git has none configured. */
async function authorArgs(root: string): Promise<string[]> {
  const name = (await git(root, ['config', 'user.name'], [0, 1])).stdout.trim();
  const email = (await git(root, ['config', 'user.email'], [0, 1])).stdout.trim();
  return ['-c', `user.name=${name || fallbackGitAuthor.name}`, '-c', `user.email=${email || fallbackGitAuthor.email}`];
}

/** Switches to a branch, or creates it from the current one and switches. */
export async function gitSwitch(root: string, name: string, create: boolean): Promise<void> {
  await requireRepository(root);
  if (name.startsWith('-') || (await git(root, ['check-ref-format', '--branch', name], [0, 1, 128])).code !== 0) {
    throw new ConfigError('git.bad_branch', `'${name}' is not a valid branch name`);
  }
  await git(root, create ? ['switch', '--create', name] : ['switch', name]);
}

/** A path from a request, checked to stay in the project, relative to its root. */
export function relativeChecked(root: string, file: string): string {
  return projectRelative(root, resolveProjectPath(root, file));
}
