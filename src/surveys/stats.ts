/**
 * Confidence intervals for survey shares and for the change of a share between two waves.
 *
 * - Share: the Wilson score interval. E. B. Wilson, "Probable inference, the law of succession,
 *   and statistical inference", JASA 22 (1927) 209-212; recommended over the Wald interval by
 *   Brown, Cai & DasGupta, Statistical Science 16 (2001) 101-133.
 *     centre = (p + z²/2n) / (1 + z²/n),  half = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n)
 * - Difference of two independent shares: Newcombe's hybrid score interval (method 10 of
 *   R. G. Newcombe, "Interval estimation for the difference between independent proportions:
 *   comparison of eleven methods", Statistics in Medicine 17 (1998) 873-890), built from the two
 *   Wilson intervals (l1, u1) and (l2, u2), for d = p2 - p1:
 *     lower = d - sqrt((p2 - l2)² + (u1 - p1)²),  upper = d + sqrt((u2 - p2)² + (p1 - l1)²)
 * The normal quantile for the confidence level comes from @stdlib/stats-base-dists-normal-quantile.
 */
import quantile from '@stdlib/stats-base-dists-normal-quantile';

export interface Interval {
  lower: number;
  upper: number;
}

/** The two-sided normal quantile for a confidence level in (0, 1), e.g. 0.95 -> 1.95996. */
export function zFor(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be between 0 and 1, got ${confidence}`);
  return quantile(1 - (1 - confidence) / 2, 0, 1);
}

/** Wilson score interval of `successes` out of `n` (n > 0). Bounds are shares in [0, 1]. */
export function wilson(successes: number, n: number, z: number): Interval {
  if (n <= 0) throw new RangeError('wilson: n must be positive');
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

export interface Change extends Interval {
  /** p2 - p1, in share points (-1..1). */
  difference: number;
  /** The interval does not contain zero. */
  significant: boolean;
}

/** Newcombe's hybrid score interval for p2 - p1 (x1 of n1 before, x2 of n2 after). */
export function newcombe(x1: number, n1: number, x2: number, n2: number, z: number): Change {
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const a = wilson(x1, n1, z);
  const b = wilson(x2, n2, z);
  const difference = p2 - p1;
  const lower = difference - Math.sqrt((p2 - b.lower) ** 2 + (a.upper - p1) ** 2);
  const upper = difference + Math.sqrt((b.upper - p2) ** 2 + (p1 - a.lower) ** 2);
  return { difference, lower, upper, significant: lower > 0 || upper < 0 };
}
