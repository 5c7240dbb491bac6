/**
 * Small-cell suppression of a table of counts with published margins, so that no one is singled
 * out by area, gender and age band.
 *
 * The table has R rows (e.g. the answers to a question) and C columns (e.g. groups), with the
 * row totals (the answer counts over all groups), the column totals (respondents per group) and
 * the grand total. Every row and every column, margins included, is a line whose entries sum to
 * its total, and a reader who knows all but one entry of a line can work out the last one.
 *
 * 1. Primary suppression: a count from 1 to K-1 is suppressed (the threshold of the settings,
 *    SURVEY_MIN_CELL). A zero is shown: it describes nobody.
 * 2. Complementary suppression: while a line holds exactly one suppressed entry, the smallest
 *    other entry of that line that is not zero is suppressed too (a zero would not hide
 *    anything); when the line has none, its total is suppressed. The grand total is never
 *    suppressed unless it is itself under K, and then everything is.
 *
 * This is the "at least two per line" rule of statistical agencies' cell-suppression practice
 * (e.g. Eurostat, Handbook on Statistical Disclosure Control, 2010, ch. 5.2); it is a heuristic,
 * not a linear-programming audit of every combination of lines.
 */

export type SuppressionReason = 'small' | 'complementary';

export interface SuppressedTable {
  /** cells[r][c]: the count, or null when suppressed. */
  cells: (number | null)[][];
  rowTotals: (number | null)[];
  columnTotals: (number | null)[];
  grandTotal: number | null;
  /** Why each cell was suppressed (same shape as the augmented table: rows then the total row). */
  reasons: Map<string, SuppressionReason>;
}

/** Key of an entry of the augmented table ((R+1) x (C+1): the last row and column are totals). */
const key = (r: number, c: number) => `${r}:${c}`;

/**
 * Suppresses `counts` (R x C, non-negative integers) with threshold `k` (>= 1). The margins are
 * computed from the counts. Returns the published table.
 */
export function suppressTable(counts: number[][], k: number): SuppressedTable {
  const rows = counts.length;
  const columns = rows > 0 ? counts[0]!.length : 0;
  const value = (r: number, c: number): number => {
    if (r < rows && c < columns) return counts[r]![c]!;
    if (r < rows) return counts[r]!.reduce((a, b) => a + b, 0);
    if (c < columns) return counts.reduce((a, row) => a + row[c]!, 0);
    return counts.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0);
  };
  const reasons = new Map<string, SuppressionReason>();
  const grand = value(rows, columns);
  const small = (n: number) => n > 0 && n < k;
  if (small(grand)) {
    for (let r = 0; r <= rows; r++) for (let c = 0; c <= columns; c++) reasons.set(key(r, c), 'small');
  } else {
    for (let r = 0; r <= rows; r++) for (let c = 0; c <= columns; c++) if (!(r === rows && c === columns) && small(value(r, c))) reasons.set(key(r, c), 'small');
    const lines: [number, number][][] = [];
    for (let r = 0; r <= rows; r++) lines.push(Array.from({ length: columns + 1 }, (_, c) => [r, c] as [number, number]));
    for (let c = 0; c <= columns; c++) lines.push(Array.from({ length: rows + 1 }, (_, r) => [r, c] as [number, number]));
    for (let changed = true; changed; ) {
      changed = false;
      for (const line of lines) {
        const hidden = line.filter(([r, c]) => reasons.has(key(r, c)));
        if (hidden.length !== 1) continue;
        const candidates = line
          .filter(([r, c]) => !reasons.has(key(r, c)) && value(r, c) > 0 && !(r === rows && c === columns))
          .sort((a, b) => value(a[0], a[1]) - value(b[0], b[1]));
        const [total] = line.slice(-1) as [[number, number]];
        const inner = candidates.filter(([r, c]) => !(r === total[0] && c === total[1]));
        const pick = inner[0] ?? candidates[0];
        if (!pick) continue; // only the grand total is left: it is published by design
        reasons.set(key(pick[0], pick[1]), 'complementary');
        changed = true;
      }
    }
  }
  const shown = (r: number, c: number) => (reasons.has(key(r, c)) ? null : value(r, c));
  return {
    cells: Array.from({ length: rows }, (_, r) => Array.from({ length: columns }, (_, c) => shown(r, c))),
    rowTotals: Array.from({ length: rows }, (_, r) => shown(r, columns)),
    columnTotals: Array.from({ length: columns }, (_, c) => shown(rows, c)),
    grandTotal: shown(rows, columns),
    reasons,
  };
}

/** The reason a cell (r, c) of the R x C table was suppressed, if it was. */
export function reasonOf(table: SuppressedTable, r: number, c: number): SuppressionReason | undefined {
  return table.reasons.get(key(r, c));
}
