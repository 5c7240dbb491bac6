/**
 * Charts drawn with uPlot on a canvas: lines over time or over waves, and bars by category.
 * The width follows the container (phones included); time axes read as clock times (HH:MM) in the
 * console's language, and legends name the series in it. Every chart has a text label, and pages
 * show the same figures in a table next to it.
 */
import uPlot from 'uplot';
import { useEffect, useRef } from 'preact/hooks';
import { language, t } from '../i18n.ts';

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
}

const PALETTE = ['#0b5cad', '#b3261e', '#1e7b34', '#8a5a00', '#6a3d9a', '#00838f'];
export const color = (i: number) => PALETTE[i % PALETTE.length]!;

export interface ChartProps {
  /** x values: unix seconds when `time`, else 0..n-1 with `labels` naming them. */
  x: number[];
  labels?: string[];
  series: Series[];
  bars?: boolean;
  time?: boolean;
  label: string;
  height?: number;
  /** y axis from 0 to this (e.g. 100 for percentages). */
  max?: number;
  /** What a missing value (null) means, e.g. "suppressed"; written in the chart's text summary. */
  missing?: string;
}

/** Time axis steps in seconds: whole seconds at least, so labels are clock times, never fractions. */
const TIME_STEPS = [1, 5, 10, 15, 30, 60, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];

/** A unix time (s) as the console's language writes a clock time: HH:MM, with seconds for short spans. */
function clock(seconds: number, withSeconds: boolean): string {
  return new Intl.DateTimeFormat(language(), { hour: '2-digit', minute: '2-digit', ...(withSeconds ? { second: '2-digit' } : {}) }).format(new Date(seconds * 1000));
}

export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = Math.max(280, el.clientWidth || 320);
    const bars = props.bars ? uPlot.paths.bars!({ size: [0.6, 80] }) : undefined;
    const options: uPlot.Options = {
      width,
      height: props.height ?? 220,
      scales: {
        x: props.bars ? { time: false, range: (_u: uPlot, min: number, max: number) => [min - 0.6, max + 0.6] as uPlot.Range.MinMax } : { time: !!props.time },
        y: props.max !== undefined ? { range: [0, props.max] } : { range: (_u: uPlot, _min: number, max: number) => [0, Math.max(1, max * 1.1)] as uPlot.Range.MinMax },
      },
      axes: [
        props.labels
          ? { values: (_u: uPlot, splits: number[]) => splits.map((s) => (Number.isInteger(s) ? props.labels![s] ?? '' : '')), splits: () => props.x }
          : props.time
            ? { incrs: TIME_STEPS, values: (_u: uPlot, splits: number[], _axis: number, _space: number, step: number) => splits.map((s) => clock(s, step < 60)) }
            : {},
        {},
      ],
      series: [
        { label: props.time ? t('chart.time') : '' },
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          fill: props.bars ? s.color + 'aa' : undefined,
          width: 2,
          paths: bars,
          points: { show: !props.bars },
        })),
      ],
      // The legend names the series only (no live values under the cursor: the table beside has them).
      legend: { show: true, live: false },
    };
    const plot = new uPlot(options, [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData, el);
    return () => plot.destroy();
  }, [JSON.stringify(props)]);
  return (
    <figure class="chart-figure">
      <div ref={box} class="chart" role="img" aria-label={props.label} />
      {props.labels && (
        // The same figures as text, for screen readers (the canvas has none).
        <figcaption class="sr-only" data-chart-summary>
          {props.labels.map((label, i) => `${label}: ${props.series.map((s) => `${s.label} ${s.values[i] ?? props.missing ?? '—'}`).join(', ')}`).join('; ')}
        </figcaption>
      )}
    </figure>
  );
}
