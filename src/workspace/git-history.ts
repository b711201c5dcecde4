import { ConfigError } from '../core/errors.ts';
import { git, hasHead, privatePathspec, requireRepository } from './git.ts';

export interface GitCommitInfo {
  readonly id: string;
  readonly author: string;
  /** ISO 8601, with the author's offset. */
  readonly date: string;
  readonly subject: string;
}

// Unit and record separators: no commit subject or author name contains them.
const field = '\x1f';
const record = '\x1e';

/** The newest commits of the current branch that touch the project, newest first. */
export async function gitLog(root: string, limit = 50): Promise<GitCommitInfo[]> {
  await requireRepository(root);
  if (!(await hasHead(root))) return [];
  const format = ['%H', '%an', '%aI', '%s'].join(field) + record;
  const { stdout } = await git(root, ['log', `--max-count=${limit}`, `--format=${format}`, '--', '.', privatePathspec]);
  return stdout
    .split(record)
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [id = '', author = '', date = '', subject = ''] = entry.split(field);
      return { id, author, date, subject };
    });
}

/** What one commit changed in the project, as a unified diff. */
export async function gitCommitDiff(root: string, id: string): Promise<string> {
  await requireRepository(root);
  // Only a commit id: a ref or an option could name anything else git can show.
  if (!/^[0-9a-f]{7,40}$/.test(id)) throw new ConfigError('git.bad_commit', `'${id.slice(0, 60)}' is not a commit id`);
  const found = await git(root, ['cat-file', '-e', `${id}^{commit}`], [0, 1, 128]);
  if (found.code !== 0) throw new ConfigError('git.no_commit', `there is no commit ${id} in this repository`);
  return (await git(root, ['show', '--no-color', '--format=', '--first-parent', id, '--', '.', privatePathspec])).stdout;
}
