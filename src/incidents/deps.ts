/** What the incidents modules share: the runtime parts they use, the policies and the clock. */
import type { Db } from '../db/client.js';
import type { AreaTreeCache } from '../areas/tree.js';
import type { Logger } from '../logger.js';
import type { NotifyDeps } from './notify.js';
import type { Policies } from './policies.js';

export interface IncidentDeps extends NotifyDeps {
  db: Db;
  logger: Logger;
  policies: Policies;
  /** The area tree (cached). */
  areas: AreaTreeCache;
  /** The clock (tests move it; timers still wait real time, scaled by the policies). */
  now: () => Date;
}

/** Work to run once the transaction that decided it has committed (queueing, timers). */
export type AfterCommit = (() => Promise<void>)[];

export async function runAfterCommit(tasks: AfterCommit): Promise<void> {
  for (const task of tasks) await task();
}
