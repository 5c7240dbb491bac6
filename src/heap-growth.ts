/**
 * How far V8 lets the gateway's heap grow between full garbage collections. After each one, V8
 * sets the next limit at the live heap times a factor it picks from how fast collection has been:
 * under a steady load of messages it picks a high one (up to 4), and a gateway whose live heap is
 * 60-70 MB ran with 250-400 MB of RSS that rose and fell from run to run. `--heap-growing-percent`
 * fixes the factor at 1 + percent/100 (V8's flag; 0 leaves V8's own choice).
 *
 * Measured on the e2e bench (the build, one run each on one machine):
 * - SQLite, 25 to 300 msg/s then three runs at 150: the default peaked at 315 MB and held
 *   350-397 MB over the three runs (growth 13%); 100% peaked at 276 MB and held 280-287 MB; 50%
 *   peaked at 249 MB and held 250-251 MB. CPU per message at 300 msg/s 3.31, 3.54 and 3.43 ms: within
 *   the runs' noise.
 * - PostgreSQL, 50 to 200 msg/s: 100% sustained 200 msg/s (p99 at 150/s 183 ms, RSS 233-262 MB,
 *   CPU per message at 200/s 4.51 ms), as the default did (289 ms, 244-265 MB, 4.57 ms); 50%
 *   sustained only 100 (CPU per message at 150/s 6.91 ms against 6.2-6.3). One run each cannot
 *   tell a small cost from the machine's noise, but 50% is not worth that risk; hence 100.
 */
import v8 from 'node:v8';

/** The default of HEAP_GROWING_PERCENT. */
export const DEFAULT_HEAP_GROWING_PERCENT = 100;

/** Fixes V8's heap growing factor at 1 + percent/100 for this process; 0 leaves V8's own. */
export function boundHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}
