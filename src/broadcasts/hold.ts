/**
 * When an announcement counts as held by quiet hours, one rule for the API, the CLI and the
 * console (which bundles this file): a non-urgent announcement whose next queued message is
 * released more than HOLD_MS from now. A nearer release is the pace of sending, not a hold; an
 * urgent announcement is sent through quiet hours and never held.
 */

/** A release further than this from now is a hold by quiet hours (ms). */
export const HOLD_MS = 5 * 60_000;

/** Until when quiet hours hold a broadcast whose next release is `nextReleaseAt`; null when nothing is held. */
export function heldUntil(urgent: boolean, nextReleaseAt: Date | null, now = Date.now()): Date | null {
  return !urgent && nextReleaseAt && nextReleaseAt.getTime() - now > HOLD_MS ? nextReleaseAt : null;
}
