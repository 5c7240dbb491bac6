/**
 * The data folder holds the database and its log, Redis's append-only files, the encryption key
 * and the console token: readable by the gateway's user only. Folders 0700, files 0600; new
 * files get the same through the process umask (077), which the embedded redis-server inherits.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Creates `dir` if needed, sets the umask, and tightens what is already there (recursively). */
export function secureDataDir(dir: string): void {
  process.umask(0o077);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  tighten(dir);
}

/** Sets 0700 on `path` and the folders below it, 0600 on the files. */
export function tighten(path: string): void {
  if (!existsSync(path)) return;
  const stat = statSync(path);
  if (stat.isDirectory()) {
    chmodSync(path, 0o700);
    for (const entry of readdirSync(path)) tighten(join(path, entry));
  } else if (stat.isFile()) {
    chmodSync(path, 0o600);
  }
}
