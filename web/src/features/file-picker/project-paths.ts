/** The folder part of a project path: `data/in/orders.csv` → `data/in`, `data/in/` → `data/in`; '' for the root. */
export function folderOf(path: string): string {
  const trimmed = path.trim();
  const cut = trimmed.lastIndexOf('/');
  // A glob's folder is where its pattern starts: `data/*/x.csv` browses `data`.
  const folder = cut < 0 ? '' : trimmed.slice(0, cut);
  const wild = folder.search(/[*?[{]/);
  return wild < 0 ? folder : folder.slice(0, folder.lastIndexOf('/', wild) < 0 ? 0 : folder.lastIndexOf('/', wild));
}

/** The last part of a path, '' when it names a folder. */
export function nameOf(path: string): string {
  if (path.endsWith('/')) return '';
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(folder: string, name: string): string {
  return folder ? `${folder}/${name}` : name;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let size = bytes / 1024;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${size.toFixed(size < 10 ? 1 : 0)} ${units[unit]}`;
}
