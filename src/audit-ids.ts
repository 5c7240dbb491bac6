/**
 * Ids of audit entries (AuditEntry.id) that sort in the order entries are written: ULIDs from one
 * monotonic factory, strictly increasing within this process, even in the same millisecond.
 * Entries written together share their `at` (one transaction's clock) and readers order by
 * (at, id), so a random id would shuffle them. Every audit write takes its id from here.
 */
import { monotonicFactory } from 'ulid';

const next = monotonicFactory();

/** A 26-character ULID, greater than every id this process gave before. */
export function auditId(): string {
  return next();
}
