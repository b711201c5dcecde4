export interface FileChange {
  readonly path: string;
  readonly status: string;
}

const isNew = (status: string) => ['untracked', 'added'].includes(status.trim().toLowerCase());

function listed(names: readonly string[]): string {
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!}`;
}

/**
 * A commit message that says what the chosen changes are, used when the user
 * writes none: pipelines by name (`Add pipeline orders`), else the file, else
 * how many files. Empty when nothing is chosen.
 */
export function suggestCommitMessage(changes: readonly FileChange[]): string {
  if (!changes.length) return '';
  const pipelines = (made: boolean) =>
    changes.filter((c) => isNew(c.status) === made).flatMap((c) => /^pipelines\/([^/]+)\.ya?ml$/.exec(c.path)?.[1] ?? []);
  const added = pipelines(true);
  const changed = pipelines(false);
  const parts = [
    ...(added.length ? [`Add pipeline${added.length === 1 ? '' : 's'} ${listed(added)}`] : []),
    ...(changed.length ? [`${added.length ? 'update' : 'Update'} pipeline${changed.length === 1 ? '' : 's'} ${listed(changed)}`] : []),
  ];
  if (parts.length) return parts.join(', ');
  if (changes.length === 1) return `${isNew(changes[0]!.status) ? 'Add' : 'Update'} ${changes[0]!.path}`;
  return `Update ${changes.length} files`;
}
