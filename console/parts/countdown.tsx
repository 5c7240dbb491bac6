/** Time left until `at`, ticking every second ("4 min 05 s"; "due now" once passed). */
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n.ts';

export function formatLeft(ms: number): string {
  if (ms <= 0) return t('countdown.due');
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return t('countdown.hm', { h, m });
  return t('countdown.ms', { m, s: String(sec).padStart(2, '0') });
}

export function Countdown({ at }: { at: string }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [at]);
  return <span class="countdown" role="timer">{formatLeft(new Date(at).getTime() - now)}</span>;
}
