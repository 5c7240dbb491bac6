/**
 * Group commit: units that arrive while every lane is committing wait, and the next group takes
 * them all (up to `maxSize`) into one transaction. When a lane is free, a unit starts at once,
 * alone, so a quiet gateway adds no wait; under load the groups grow by themselves, and
 * each unit saves a transaction's begin, commit and bookkeeping.
 *
 * A group whose transaction fails is run again unit by unit, each in a transaction of its own, so
 * one unit that fails (a bug, a conflict) fails only itself: its promise rejects, the others'
 * resolve. `commit` must therefore leave nothing behind when it throws (a rolled-back transaction
 * leaves nothing). What follows a commit (queueing its messages, its tasks) is never run again:
 * when it fails, every unit of that commit rejects with the failure. It runs while the next
 * group's transaction does.
 */
export interface GroupCommitOptions<T> {
  /**
   * Runs units in one transaction; resolves once it has committed, with what is left to do
   * after the commit; throws when it rolled back.
   */
  commit: (units: T[]) => Promise<() => Promise<void>>;
  /** Units per group at the most. */
  maxSize: number;
  /**
   * Transactions run at once (default 1). More than one helps where the database works on
   * several connections (PostgreSQL); SQLite's one connection runs one transaction at a time.
   */
  lanes?: number;
  /** Told of each transaction's end: its size, and whether it committed. */
  onEnd?: (units: number, committed: boolean) => void;
}

interface Waiting<T> {
  unit: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<T> {
  private readonly waiting: Waiting<T>[] = [];
  private running = 0;
  constructor(private readonly options: GroupCommitOptions<T>) {}

  /** Resolves once `unit` has committed and what follows has run; rejects with its own failure. */
  run(unit: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ unit, resolve, reject });
      if (this.running < (this.options.lanes ?? 1)) void this.drain();
    });
  }

  /** One lane: commits what waits, group after group, until nothing does. */
  private async drain(): Promise<void> {
    this.running += 1;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, this.options.maxSize);
        if (await this.commit(group)) continue;
        for (const one of group) await this.commit([one]);
      }
    } finally {
      this.running -= 1;
    }
  }

  /**
   * Commits `group` and settles its units once what follows has run. A unit alone that rolled
   * back is rejected with its failure. Returns false, settling nothing, when a group of several
   * rolled back.
   */
  private async commit(group: Waiting<T>[]): Promise<boolean> {
    let afterCommit: () => Promise<void>;
    try {
      afterCommit = await this.options.commit(group.map((w) => w.unit));
    } catch (error) {
      this.options.onEnd?.(group.length, false);
      if (group.length > 1) return false;
      group[0]!.reject(error);
      return true;
    }
    this.options.onEnd?.(group.length, true);
    afterCommit().then(
      () => group.forEach((w) => w.resolve()),
      (error: unknown) => group.forEach((w) => w.reject(error)),
    );
    return true;
  }
}
