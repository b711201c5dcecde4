import { readdirSync, rmdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The cache's size when sluice.yaml's `outputs:` sets no `cache_mb`. */
export const defaultOutputCacheMb = 5120;

export interface OutputCacheOptions {
  /** The cache's folder (`.sluice/output-cache`), shared by every process of the project on this machine. */
  readonly dir: string;
  /** Pruning keeps at most this many bytes of cached outputs, unless more are in use. */
  readonly maxBytes: number;
}

/**
 * A bounded folder of downloaded (or uploaded) outputs, least recently used
 * out first. A file in use is never evicted: `pin` marks it (a count in this
 * process, and a `FILE.pin-PID` marker beside it that other processes on the
 * machine respect while that process lives) until `release`. Each pin also
 * marks the file as just used, which is what the eviction order reads.
 */
export interface OutputCache {
  pin(file: string): void;
  release(file: string): void;
  /** Removes the least recently used files nobody uses until at most `maxBytes` remain; what it removed. */
  prune(): { readonly files: number; readonly bytes: number };
}

const pinMarker = /\.parquet\.pin-(\d+)$/;

export function createOutputCache(options: OutputCacheOptions): OutputCache {
  const pins = new Map<string, number>();
  const markerOf = (file: string): string => `${file}.pin-${process.pid}`;
  return {
    pin(file) {
      const count = pins.get(file) ?? 0;
      pins.set(file, count + 1);
      if (count === 0) {
        try {
          writeFileSync(markerOf(file), '');
        } catch {
          // The folder is not there yet: the file is downloaded into it next, pinned in this process meanwhile.
        }
      }
      const now = new Date();
      try {
        utimesSync(file, now, now);
      } catch {
        // Not downloaded yet: its download's own time marks it as new.
      }
    },
    release(file) {
      const count = pins.get(file);
      if (count === undefined) return;
      if (count > 1) return void pins.set(file, count - 1);
      pins.delete(file);
      rmSync(markerOf(file), { force: true });
    },
    prune() {
      const files: { file: string; size: number; usedAt: number }[] = [];
      const pinnedElsewhere = new Set<string>();
      walk(options.dir, (file) => {
        const marker = pinMarker.exec(file);
        if (marker) {
          if (processLives(Number(marker[1]))) pinnedElsewhere.add(file.slice(0, file.lastIndexOf('.pin-')));
          else rmSync(file, { force: true }); // left by a process that died
          return;
        }
        if (!file.endsWith('.parquet')) return; // a download under way (`.part`)
        const stat = statSync(file, { throwIfNoEntry: false });
        if (stat) files.push({ file, size: stat.size, usedAt: stat.mtimeMs });
      });
      let total = files.reduce((sum, f) => sum + f.size, 0);
      let removed = 0;
      let freed = 0;
      for (const entry of files.sort((a, b) => a.usedAt - b.usedAt)) {
        if (total <= options.maxBytes) break;
        if (pins.has(entry.file) || pinnedElsewhere.has(entry.file)) continue;
        rmSync(entry.file, { force: true });
        removeEmptyFolders(path.dirname(entry.file), options.dir);
        total -= entry.size;
        freed += entry.size;
        removed++;
      }
      return { files: removed, bytes: freed };
    },
  };
}

function walk(dir: string, visit: (file: string) => void): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, visit);
    else visit(full);
  }
}

/** Whether a process of this machine still runs: its pins hold only while it does. */
function processLives(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeEmptyFolders(folder: string, root: string): void {
  for (let dir = folder; dir.startsWith(path.resolve(root) + path.sep); dir = path.dirname(dir)) {
    try {
      rmdirSync(dir);
    } catch {
      return; // not empty, or already gone
    }
  }
}
