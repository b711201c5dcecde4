import { rmSync } from 'node:fs';
import path from 'node:path';
import { git, hasHead, relativeChecked, requireRepository } from './git.ts';

/**
 * Throws away the uncommitted change to one file: a file the last commit has
 * gets that content back (staged and working copy), a file it lacks is removed.
 */
export async function gitDiscard(root: string, file: string): Promise<void> {
  await requireRepository(root);
  const relative = relativeChecked(root, file);
  const committed = (await hasHead(root)) && (await git(root, ['ls-tree', '--name-only', 'HEAD', '--', relative])).stdout.trim() !== '';
  if (committed) {
    await git(root, ['restore', '--source=HEAD', '--staged', '--worktree', '--', relative]);
    return;
  }
  await git(root, ['rm', '--cached', '--quiet', '--ignore-unmatch', '--', relative]);
  rmSync(path.join(root, relative), { force: true });
}
