/**
 * Flow engine throughput: pure engine steps per second, driving the early-warning report flow
 * end to end again and again (9 inputs per report: keyword, category, place, date, number,
 * severity, description, call-back choice, confirmation). The baseline, measured in the same
 * run, is a JSON round trip (stringify + parse) of a mid-report session per step: the least a
 * caller does with the session on every message.
 */
import { join } from 'node:path';
import { loadTranslator } from '../../src/i18n.js';
import { areaViews, readAreas } from '../../src/areas/gazetteer.js';
import { loadFlowCatalog } from '../../src/flow/catalog.js';
import { step, type ContactView, type EngineInput } from '../../src/flow/engine.js';
import type { FlowSession } from '../../src/flow/session.js';

const STEPS = 200_000;
const WARMUP = 20_000;
const ROOT = join(import.meta.dirname, '..', '..');

const REPORT: EngineInput[] = ['report', '1', 'kanzi', 'today', '12', '3', 'Armed men near the market, two houses burned', '2', 'yes'].map(
  (text) => ({ type: 'text', text }),
);

function percentile(sorted: Float64Array, fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

export async function run(): Promise<Record<string, unknown>> {
  const translator = loadTranslator(join(ROOT, 'locales'));
  const areas = areaViews(readAreas(join(ROOT, 'prisma', 'seed', 'areas.yaml')));
  const { catalog } = loadFlowCatalog({ flowsDir: join(ROOT, 'flows'), translator, areas });
  const contact: ContactView = { language: 'en', areaId: null, fields: {} };
  const fresh = { caseCode: 'R-7K3M9P' };
  let session: FlowSession | null = null;
  let now = Date.parse('2025-05-01T08:00:00Z');
  let incidents = 0;

  const drive = (count: number, latencies?: Float64Array) => {
    for (let i = 0; i < count; i += 1) {
      const input = REPORT[i % REPORT.length] as EngineInput;
      const started = latencies ? process.hrtime.bigint() : 0n;
      const result = step(catalog, contact, session, input, new Date(now), fresh);
      if (latencies) latencies[i] = Number(process.hrtime.bigint() - started) / 1e6;
      session = result.session;
      if (result.effects.length > 0) incidents += 1;
      now += 1000;
    }
  };

  drive(WARMUP);
  incidents = 0;
  const latencies = new Float64Array(STEPS);
  const engineStart = process.hrtime.bigint();
  drive(STEPS, latencies);
  const engineSeconds = Number(process.hrtime.bigint() - engineStart) / 1e9;
  if (incidents !== Math.floor(STEPS / REPORT.length)) throw new Error(`expected one incident per report, got ${incidents}`);

  session = null;
  drive(5);
  const sample = session as FlowSession | null;
  if (sample === null) throw new Error('the report flow ended early');
  let keep = 0;
  for (let i = 0; i < WARMUP; i += 1) keep += (JSON.parse(JSON.stringify(sample)) as FlowSession).attempts;
  const baselineStart = process.hrtime.bigint();
  for (let i = 0; i < STEPS; i += 1) keep += (JSON.parse(JSON.stringify(sample)) as FlowSession).attempts;
  const baselineSeconds = Number(process.hrtime.bigint() - baselineStart) / 1e9;
  if (keep !== 0) throw new Error('unexpected session contents');

  latencies.sort();
  const perSecond = STEPS / engineSeconds;
  const baselinePerSecond = STEPS / baselineSeconds;
  return {
    steps: STEPS,
    reports: incidents,
    per_s: Math.round(perSecond),
    baseline: 'JSON.parse(JSON.stringify(session)) of a mid-report session, once per step',
    baseline_per_s: Math.round(baselinePerSecond),
    ratio: Number((perSecond / baselinePerSecond).toFixed(3)),
    p50_ms: Number(percentile(latencies, 0.5).toFixed(4)),
    p99_ms: Number(percentile(latencies, 0.99).toFixed(4)),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
