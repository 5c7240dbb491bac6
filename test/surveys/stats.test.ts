/** Intervals against the worked examples of the papers that define them. */
import { describe, expect, it } from 'vitest';
import { newcombe, wilson, zFor } from '../../src/surveys/stats.js';
import { suppressTable } from '../../src/surveys/suppression.js';

const z = zFor(0.95);

describe('intervals', () => {
  it('uses the 95% normal quantile', () => {
    expect(z).toBeCloseTo(1.959964, 6);
  });

  it('Wilson: 81/263 gives 0.2553 to 0.3662 (Newcombe 1998, single proportion, example)', () => {
    const { lower, upper } = wilson(81, 263, z);
    expect(lower).toBeCloseTo(0.2553, 4);
    expect(upper).toBeCloseTo(0.3662, 4);
  });

  it("Newcombe's hybrid score: 56/70 - 48/80 gives 0.0524 to 0.3339 (Newcombe 1998, method 10, example a)", () => {
    const change = newcombe(48, 80, 56, 70, z);
    expect(change.difference).toBeCloseTo(0.2, 6);
    expect(change.lower).toBeCloseTo(0.0524, 4);
    expect(change.upper).toBeCloseTo(0.3339, 4);
    expect(change.significant).toBe(true);
    expect(newcombe(5, 10, 6, 10, z).significant).toBe(false);
  });
});

describe('suppression', () => {
  it('hides cells under K and one more in every line that would give them away', () => {
    const t = suppressTable([[10, 6, 2], [10, 3, 8]], 5);
    expect(t.cells).toEqual([[10, null, null], [10, null, null]]);
    expect(t.rowTotals).toEqual([18, 21]);
    expect(t.columnTotals).toEqual([20, 9, 10]);
    expect(t.grandTotal).toBe(39);
  });

  it('leaves zeros shown and hides a total when a line has nothing else to hide', () => {
    const t = suppressTable([[3, 0], [20, 0]], 5);
    // Column 1 is all zeros: row 0 has only its total left, so the total (3) goes too; the
    // column of row totals then needs a second hidden entry (20).
    expect(t.cells[0]).toEqual([null, 0]);
    expect(t.rowTotals[0]).toBeNull();
    expect(t.cells[1]![0]).toBeNull();
    expect(t.grandTotal).toBe(23);
  });

  it('hides everything when the whole table is under K', () => {
    const t = suppressTable([[1, 2]], 5);
    expect(t.grandTotal).toBeNull();
    expect(t.cells[0]).toEqual([null, null]);
  });
});
