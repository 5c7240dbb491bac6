/**
 * How far V8 lets the gateway's heap grow between full garbage collections. After each one, V8
 * sets the next limit at the live heap times a factor it picks from how fast collection has been:
 * under a steady load of messages it picks a high one (up to 4), and a gateway whose live heap is
 * 60-70 MB ran with 250-400 MB of RSS that rose and fell from run to run. `--heap-growing-percent`
 * fixes the factor at 1 + percent/100 (V8's flag; 0 leaves V8's own choice).
 *
 * Measured on the e2e bench (SQLite, the build, 25 to 300 msg/s then three runs at 150): the
 * default peaked at 315 MB and held 350-397 MB over the three runs (growth 13%); 50% peaked at
 * 249 MB and held 250-251 MB (growth 0.4%); 100% peaked at 276 MB and held 280-287 MB. The
 * gateway's CPU per message stayed within the runs' noise (3.43 ms at 300 msg/s with 50%, 3.31
 * with the default, 3.54 with 100%): the extra collections are short with a live heap this small.
 */
import v8 from 'node:v8';

/** The default of HEAP_GROWING_PERCENT. */
export const DEFAULT_HEAP_GROWING_PERCENT = 50;

/** Fixes V8's heap growing factor at 1 + percent/100 for this process; 0 leaves V8's own. */
export function boundHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}
