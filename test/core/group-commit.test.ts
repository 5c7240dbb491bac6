/**
 * Group commit (src/jobs/group-commit.ts) on its own: when groups form, what a rolled-back group
 * becomes, and what a failure after the commit does. The commit here records its calls; the
 * inbound worker's use of it, on a real database, is in test/core/inbound-groups.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/jobs/group-commit.js';

/** A promise and its resolve, to hold a commit until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const settled = (promise: Promise<void>) =>
  promise.then(
    () => 'resolved',
    (error: Error) => `rejected: ${error.message}`,
  );

describe('group commit', () => {
  it('commits a unit alone at once when nothing is running', async () => {
    const commits: string[][] = [];
    const groups = new GroupCommit<string>({ maxSize: 8, commit: async (units) => (commits.push(units), async () => undefined) });
    const done = groups.run('a');
    expect(commits).toEqual([['a']]); // called in the same tick: no wait for company
    await done;
  });

  it('takes the units that arrived during a commit into the next, up to the size', async () => {
    const commits: string[][] = [];
    const first = gate();
    const groups = new GroupCommit<string>({
      maxSize: 3,
      commit: async (units) => {
        commits.push(units);
        if (units[0] === 'a') await first.promise;
        return async () => undefined;
      },
    });
    const all = ['a', 'b', 'c', 'd', 'e'].map((unit) => groups.run(unit));
    expect(commits).toEqual([['a']]);
    first.open();
    await Promise.all(all);
    expect(commits).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
  });

  it('runs a rolled-back group again unit by unit: only the failing unit fails', async () => {
    const commits: string[][] = [];
    const ends: [number, boolean][] = [];
    const first = gate();
    const groups = new GroupCommit<string>({
      maxSize: 8,
      onEnd: (units, committed) => ends.push([units, committed]),
      commit: async (units) => {
        commits.push(units);
        if (units[0] === 'a') await first.promise;
        if (units.includes('bad')) throw new Error('bad unit');
        return async () => undefined;
      },
    });
    const runs = ['a', 'b', 'bad', 'c'].map((unit) => settled(groups.run(unit)));
    first.open();
    expect(await Promise.all(runs)).toEqual(['resolved', 'resolved', 'rejected: bad unit', 'resolved']);
    expect(commits).toEqual([['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
    expect(ends).toEqual([
      [1, true],
      [3, false],
      [1, true],
      [1, false],
      [1, true],
    ]);
  });

  it('fails every unit of a commit whose after-commit work fails, and never commits them again', async () => {
    const commits: string[][] = [];
    const first = gate();
    const groups = new GroupCommit<string>({
      maxSize: 8,
      commit: async (units) => {
        commits.push(units);
        if (units[0] === 'a') await first.promise;
        return async () => {
          if (units.includes('b')) throw new Error('queueing failed');
        };
      },
    });
    const runs = ['a', 'b', 'c'].map((unit) => settled(groups.run(unit)));
    first.open();
    expect(await Promise.all(runs)).toEqual(['resolved', 'rejected: queueing failed', 'rejected: queueing failed']);
    expect(commits).toEqual([['a'], ['b', 'c']]);
  });

  it("starts the next commit while the last one's after-commit work still runs", async () => {
    const events: string[] = [];
    const first = gate();
    const queueing = gate();
    const groups = new GroupCommit<string>({
      maxSize: 8,
      commit: async (units) => {
        events.push(`commit ${units.join('')}`);
        if (units[0] === 'a') await first.promise;
        return async () => {
          if (units[0] === 'a') await queueing.promise;
          events.push(`after ${units.join('')}`);
        };
      },
    });
    const a = groups.run('a');
    const bc = [groups.run('b'), groups.run('c')];
    first.open();
    await Promise.all(bc);
    expect(events).toEqual(['commit a', 'commit bc', 'after bc']);
    queueing.open();
    await a;
    expect(events.at(-1)).toBe('after a');
  });

  it('runs as many transactions at once as it has lanes', async () => {
    const commits: string[][] = [];
    const held = gate();
    const groups = new GroupCommit<string>({
      maxSize: 8,
      lanes: 2,
      commit: async (units) => {
        commits.push(units);
        if (units[0] === 'a' || units[0] === 'b') await held.promise;
        return async () => undefined;
      },
    });
    const all = ['a', 'b', 'c', 'd', 'e'].map((unit) => groups.run(unit));
    expect(commits).toEqual([['a'], ['b']]); // both lanes busy: c, d and e wait together
    held.open();
    await Promise.all(all);
    expect(commits.slice(2)).toEqual([['c', 'd', 'e']]);
  });

  it('goes on after a unit alone fails', async () => {
    const groups = new GroupCommit<string>({
      maxSize: 8,
      commit: async (units) => {
        if (units[0] === 'bad') throw new Error('bad unit');
        return async () => undefined;
      },
    });
    expect(await settled(groups.run('bad'))).toBe('rejected: bad unit');
    expect(await settled(groups.run('good'))).toBe('resolved');
  });
});
