/**
 * One gateway per data folder: DATA_DIR/gateway.lock holds the pid of the gateway using it. A
 * second start on the same folder refuses and names the running process; a lock whose process is
 * gone (or is no longer a node process) is stale and taken over. The lock is taken before the
 * embedded Redis starts, so a refused start touches neither that Redis nor its redis.url.
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`another gateway (pid ${pid}) is running on the data folder ${dir}; stop it first, or set DATA_DIR to another folder`);
    this.name = 'DataDirLockedError';
  }
}

/** Whether `pid` is a live node process. */
function runningNode(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return /node|tsx/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true; // no /proc: trust the live pid
  }
}

function holder(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Takes the lock of `dir`; returns its release. Throws DataDirLockedError when another live
 * process holds it. The same process may take it again (tests run several gateways in one process).
 */
export function lockDataDir(dir: string): () => void {
  const file = join(dir, 'gateway.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        if (holder(file) === process.pid) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = holder(file);
      if (pid === process.pid) return () => undefined;
      if (pid !== null && runningNode(pid)) throw new DataDirLockedError(dir, pid);
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not take the lock ${file}`);
}
