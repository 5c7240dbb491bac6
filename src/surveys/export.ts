/**
 * Exports of survey results as CSV, or as HXL-tagged CSV (a second row of HXL hashtags that
 * humanitarian tools read: https://hxlstandard.org/standard/1-1final/dictionary/). Rows are the
 * published results (results.ts), so the same suppression applies: a suppressed figure is an
 * empty cell and the row says why. Written with csv-stringify.
 *
 * Columns: survey, wave, adm1 (region) and adm2 (locality) of an area group, gender, age band,
 * question and answer (code and label), respondents of the group, count, share, interval, and
 * suppressed. The issue asked for #gender and #age: HXL 1.1 has no such hashtags, so they are
 * used as written there, as HXL allows custom hashtags.
 */
import { stringify } from 'csv-stringify/sync';
import type { Results } from './results.js';

const COLUMNS: [string, string][] = [
  ['survey', '#meta+survey'],
  ['wave', '#date+wave'],
  ['adm1_code', '#adm1+code'],
  ['adm1_name', '#adm1+name'],
  ['adm2_code', '#adm2+code'],
  ['adm2_name', '#adm2+name'],
  ['gender', '#gender'],
  ['age_band', '#age+band'],
  ['question', '#indicator+code'],
  ['question_text', '#indicator+name'],
  ['answer', '#indicator+answer+code'],
  ['answer_label', '#indicator+answer+name'],
  ['respondents', '#population+num'],
  ['count', '#indicator+num'],
  ['share', '#indicator+pct'],
  ['share_low', '#indicator+pct+low'],
  ['share_high', '#indicator+pct+high'],
  ['suppressed', '#meta+suppressed'],
];

/** The HXL hashtag row, in column order. */
export const HXL_TAGS = COLUMNS.map(([, tag]) => tag);
export const CSV_HEADER = COLUMNS.map(([name]) => name);

export interface AreaPlace {
  adm1?: { code: string; name: string };
  adm2?: { code: string; name: string };
}

/** Rows of the results, one per question, answer and group (the overall rows first). */
export function exportRows(results: Results, place: (areaId: string) => AreaPlace): string[][] {
  const rows: string[][] = [];
  const fmt = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(Number(n.toFixed(4))));
  for (const question of results.questions) {
    for (const answer of question.answers) {
      const line = (group: { key: string | null } | null, respondents: number | null, cell: (typeof answer)['overall']) => {
        const where = results.by === 'area' && group?.key ? place(group.key) : results.areaId ? place(results.areaId) : {};
        return [
          results.surveyId,
          results.wave ?? '',
          where.adm1?.code ?? '',
          where.adm1?.name ?? '',
          where.adm2?.code ?? '',
          where.adm2?.name ?? '',
          results.by === 'gender' && group ? (group.key ?? 'not_given') : '',
          results.by === 'age_band' && group ? (group.key ?? 'not_given') : '',
          question.id,
          question.text,
          answer.id,
          answer.label,
          fmt(respondents),
          fmt(cell.count),
          fmt(cell.share),
          fmt(cell.interval?.lower),
          fmt(cell.interval?.upper),
          cell.suppressed ?? '',
        ];
      };
      rows.push(line(null, question.respondents, answer.overall));
      question.groups.forEach((group, c) => rows.push(line(group, group.respondents, answer.groups[c]!)));
    }
  }
  return rows;
}

/** The CSV text: a header row, the HXL row when `hxl`, then the rows. */
export function toCsv(rows: string[][], hxl: boolean): string {
  return stringify([CSV_HEADER, ...(hxl ? [HXL_TAGS] : []), ...rows]);
}
