/**
 * The state of an announcement as people read it, from its stored status and what has not gone
 * out yet (messages queued or sending, and when the next queued one is released). A fanned-out
 * announcement is "sent" only when nothing waits; a non-urgent one whose next message is released
 * later than HOLD_MS from now is "held until HH:MM (quiet hours)" (the API's and the CLI's rule,
 * src/broadcasts/hold.ts); otherwise it is "sending".
 */
import { heldUntil } from '../../src/broadcasts/hold.ts';
import { t, time } from '../i18n.ts';

export interface Waiting {
  waiting: number;
  nextReleaseAt: string | null;
}

export interface ShownState {
  /** Badge kind: the stored status, or held / sending / sent. */
  kind: string;
  label: string;
  /** Whether something has not gone out (so cancelling still stops something). */
  open: boolean;
}

const CLOSED = ['rejected', 'cancelled'];
const FANNED = ['sending', 'dispatched'];

export function broadcastState(b: { status: string; urgent: boolean; scheduledAt: string | null }, waiting: Waiting | null, now = Date.now()): ShownState {
  if (CLOSED.includes(b.status)) return { kind: b.status, label: t(`announce.state.${b.status}`), open: false };
  const left = waiting?.waiting ?? 0;
  // Not fanned out yet: waiting for approval, approved, or scheduled with nothing written so far.
  if (!FANNED.includes(b.status) && (b.status !== 'scheduled' || left === 0)) return { kind: b.status, label: t(`announce.state.${b.status}`), open: true };
  if (left === 0) return b.status === 'dispatched' ? { kind: 'sent', label: t('announce.state.sent'), open: false } : { kind: 'sending', label: t('announce.state.sending'), open: true };
  const held = heldUntil(b.urgent, waiting?.nextReleaseAt ? new Date(waiting.nextReleaseAt) : null, now);
  if (held) return { kind: 'held', label: t('announce.state.held', { time: time(held) }), open: true };
  return { kind: 'sending', label: t('announce.state.sending'), open: true };
}
