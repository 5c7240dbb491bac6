/**
 * Surveys: waves with their response rates, each question's results as a bar chart of one
 * answer's share per group (area, gender or age band) with the table of every share beside it,
 * each indicator across waves as a line chart per area, and the CSV and HXL exports. Suppressed
 * cells (too few respondents, or hiding another small cell) come suppressed from the API and are
 * shown as such: no bar, and the word in the table.
 */
import { useState } from 'preact/hooks';
import { get, query } from '../api.ts';
import { language, number, t } from '../i18n.ts';
import { Chart, color } from '../parts/chart.tsx';
import { ErrorLine, Loading, useLoad } from '../parts/common.tsx';
import { can, useSession } from '../session.ts';
import { areasPath, type MapArea } from '../parts/area-map.tsx';

interface Wave { wave: string; invited: number | null; started: number; completed: number; responseRate: number | null; open: boolean }
interface Survey { id: string; questions: string[]; indicators: string[]; waves: Wave[] }
interface Cell { count: number | null; share: number | null; suppressed?: string }
interface Question { id: string; text: string; respondents: number | null; groups: { key: string | null; label: string; respondents: number | null }[]; answers: { id: string; label: string; overall: Cell; groups: Cell[] }[] }
interface Results { wave: string | null; minCell: number; questions: Question[] }
interface Point { wave: string; respondents: number | null; share: number | null; suppressed?: string }
interface Indicators { minCell: number; indicators: { id: string; label: string; question: string; series: { area: { id: string; name: string } | null; points: Point[] }[] }[] }

/** A survey's title in the console's language (`surveys.names.<id>`), else its id. */
const surveyName = (id: string) => t(`surveys.names.${id}`, { defaultValue: id });

const pct = (share: number | null) => (share === null ? null : Math.round(share * 1000) / 10);

function CellText({ cell }: { cell: Cell }) {
  if (cell.suppressed || cell.share === null) return <span class="suppressed" title={cell.suppressed}>{t('surveys.suppressed')}</span>;
  return <>{number(pct(cell.share)!)} % <span class="muted small">({cell.count})</span></>;
}

function QuestionView({ question, by }: { question: Question; by: string }) {
  const [answer, setAnswer] = useState(question.answers[0]?.id ?? '');
  const chosen = question.answers.find((a) => a.id === answer) ?? question.answers[0];
  if (!chosen) return null;
  const groups = by ? question.groups : [{ key: null, label: t('surveys.everyone'), respondents: question.respondents }];
  const cells = by ? chosen.groups : [chosen.overall];
  const labels = groups.map((g, i) => (cells[i]?.suppressed ? `${g.label} (${t('surveys.suppressed')})` : g.label));
  return (
    <article class="card stack" data-question={question.id}>
      <h3>{question.text}</h3>
      <label>{t('surveys.answerShown')}
        <select value={chosen.id} onChange={(e) => setAnswer((e.target as HTMLSelectElement).value)}>
          {question.answers.map((a) => <option value={a.id}>{a.label}</option>)}
        </select>
      </label>
      <Chart bars max={100} missing={t('surveys.suppressed')} label={t('surveys.barLabel', { answer: chosen.label })} x={groups.map((_, i) => i)} labels={labels} series={[{ label: `${chosen.label} (%)`, values: cells.map((c) => (c.suppressed ? null : pct(c.share))), color: color(0) }]} />
      <div class="table-wrap">
        <table>
          <thead><tr><th>{t('surveys.group')}</th><th class="num">{t('surveys.respondents')}</th>{question.answers.map((a) => <th class="num">{a.label}</th>)}</tr></thead>
          <tbody>
            {groups.map((g, i) => (
              <tr data-group={g.key ?? ''}>
                <td>{g.label}</td>
                <td class="num">{g.respondents ?? <span class="suppressed">{t('surveys.suppressed')}</span>}</td>
                {question.answers.map((a) => <td class="num"><CellText cell={by ? a.groups[i]! : a.overall} /></td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </article>
  );
}

function IndicatorCharts({ surveyId, area }: { surveyId: string; area: string }) {
  const data = useLoad(() => get<Indicators>(`/surveys/${surveyId}/indicators${query({ area, lang: language() })}`), [surveyId, area, language()]);
  if (!data.data) return data.error ? <ErrorLine error={data.error} /> : <Loading />;
  return (
    <>
      {data.data.indicators.map((indicator) => {
        const waves = [...new Set(indicator.series.flatMap((s) => s.points.map((p) => p.wave)))];
        return (
          <article class="card stack" data-indicator={indicator.id}>
            <h3>{indicator.label}</h3>
            <Chart
              missing={t('surveys.suppressed')}
              label={t('surveys.lineLabel', { indicator: indicator.label })}
              max={100}
              x={waves.map((_, i) => i)}
              labels={waves}
              series={indicator.series.map((s, i) => ({ label: s.area?.name ?? t('surveys.allAreas'), color: color(i), values: waves.map((w) => { const p = s.points.find((q) => q.wave === w); return p && !p.suppressed ? pct(p.share) : null; }) }))}
            />
            <div class="table-wrap">
              <table>
                <thead><tr><th>{t('incidents.area')}</th>{waves.map((w) => <th class="num">{w}</th>)}</tr></thead>
                <tbody>
                  {indicator.series.map((s) => (
                    <tr><td>{s.area?.name ?? t('surveys.allAreas')}</td>{waves.map((w) => { const p = s.points.find((q) => q.wave === w); return <td class="num">{p ? <CellText cell={{ count: p.respondents, share: p.share, suppressed: p.suppressed }} /> : '—'}</td>; })}</tr>
                  ))}
                </tbody>
              </table>
            </div>
          </article>
        );
      })}
    </>
  );
}

export function Surveys() {
  const session = useSession();
  const surveys = useLoad(() => get<{ items: Survey[] }>('/surveys'), []);
  const [surveyId, setSurveyId] = useState('');
  const [wave, setWave] = useState('');
  const [by, setBy] = useState('area');
  const [area, setArea] = useState('');
  const areas = useLoad(async () => (can(session, 'GET /areas') ? (await get<{ items: MapArea[] }>(areasPath())).items : []), [language()]);
  const survey = surveys.data?.items.find((s) => s.id === surveyId) ?? surveys.data?.items[0];
  const id = survey?.id ?? '';
  const results = useLoad(async () => (id ? get<Results>(`/surveys/${id}/results${query({ wave, by, area, lang: language() })}`) : null), [id, wave, by, area, language()]);
  if (!surveys.data) return surveys.error ? <ErrorLine error={surveys.error} /> : <Loading />;
  if (!survey) return <p class="muted">{t('surveys.none')}</p>;
  // A survey nobody has started yet shows one sentence, not empty 0-100 charts and an empty table.
  const answered = survey.waves.some((w) => w.started > 0);
  const exportUrl = (format: string) => `/api/v1/surveys/${id}/export${query({ format, wave, by, area, lang: language() })}`;

  return (
    <section class="stack">
      <h1>{t('surveys.title')}</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('common.filters')}>
        <label>{t('surveys.survey')}
          <select name="survey" value={id} onChange={(e) => (setSurveyId((e.target as HTMLSelectElement).value), setWave(''))}>
            {surveys.data.items.map((s) => <option value={s.id}>{surveyName(s.id)}</option>)}
          </select>
        </label>
        <label>{t('surveys.wave')}
          <select name="wave" value={wave} onChange={(e) => setWave((e.target as HTMLSelectElement).value)}>
            <option value="">{t('surveys.allWaves')}</option>
            {survey.waves.map((w) => <option value={w.wave}>{w.wave}</option>)}
          </select>
        </label>
        <label>{t('incidents.area')}
          <select name="area" value={area} onChange={(e) => setArea((e.target as HTMLSelectElement).value)}>
            <option value="">{t('surveys.allAreas')}</option>
            {(areas.data ?? []).filter((a) => a.level !== 'locality').map((a) => <option value={a.id}>{a.name}</option>)}
          </select>
        </label>
        <label>{t('surveys.by')}
          <select name="by" value={by} onChange={(e) => setBy((e.target as HTMLSelectElement).value)}>
            <option value="">{t('surveys.byNothing')}</option>
            {['area', 'gender', 'age_band'].map((b) => <option value={b}>{t(`surveys.byOption.${b}`)}</option>)}
          </select>
        </label>
      </form>

      {!answered ? <p class="notice" data-testid="no-answers">{t('surveys.noAnswers')}</p> : (<>
      <div class="table-wrap card">
        <table>
          <thead><tr><th>{t('surveys.wave')}</th><th class="num">{t('surveys.invited')}</th><th class="num">{t('surveys.started')}</th><th class="num">{t('surveys.completed')}</th><th class="num">{t('surveys.rate')}</th></tr></thead>
          <tbody>{survey.waves.map((w) => <tr data-wave={w.wave}><td>{w.wave}{w.open ? ` (${t('surveys.open')})` : ''}</td><td class="num">{w.invited ?? '—'}</td><td class="num">{w.started}</td><td class="num">{w.completed}</td><td class="num">{w.responseRate === null ? '—' : `${number(pct(w.responseRate)!)} %`}</td></tr>)}</tbody>
        </table>
      </div>

      {can(session, 'GET /surveys/:surveyId/export') && (
        <p class="actions">
          <a href={exportUrl('csv')} download>{t('surveys.exportCsv')}</a>
          <a href={exportUrl('hxl')} download>{t('surveys.exportHxl')}</a>
        </p>
      )}

      <h2>{t('surveys.results')}</h2>
      {results.data ? <p class="muted small">{t('surveys.suppressionNote', { count: results.data.minCell, k: results.data.minCell })}</p> : null}
      <ErrorLine error={results.error} />
      {!results.data ? <Loading /> : results.data.questions.map((q) => <QuestionView key={`${q.id}-${by}-${wave}`} question={q} by={by} />)}

      {can(session, 'GET /surveys/:surveyId/indicators') && (
        <>
          <h2>{t('surveys.indicators')}</h2>
          <IndicatorCharts surveyId={id} area={area} />
        </>
      )}
      </>)}
    </section>
  );
}
