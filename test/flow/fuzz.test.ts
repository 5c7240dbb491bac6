import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FlowCatalog } from '../../src/flow/catalog.js';
import { SEVERITIES } from '../../src/flow/effects.js';
import { step, type ContactView, type EngineInput } from '../../src/flow/engine.js';
import { flowSessionSchema, type FlowSession } from '../../src/flow/session.js';
import { ENGINE_FLOWS, ENGINE_TEXTS } from './engine-flows.js';
import { CASE_CODE, loadInline, shippedCatalog, T0 } from './support.js';

const WORDS = [
  'report', 'REPORT', 'signaler', 'بلاغ', 'survey', 'rumour', 'menu', 'hi', 'language', 'status', 'R-7K3M9P', 'r 7k3m9p',
  '1', '2', '3', '4', '5', '6', '7', '٣', '1 3', '1,3', 'yes', 'no', 'oui', 'نعم', 'لا', '?', 'kanzi', 'Rivière', 'اوروما',
  'today', '25/12/2024', '40', 'fruit', 'home', 'guarded', 'STOP', 'START', 'HELP', '', ' ', '\u200f', '\u2066x\u2069',
];

const controlText = fc.array(fc.integer({ min: 0, max: 0x1f }), { maxLength: 20 }).map((codes) => String.fromCharCode(...codes));
const anyUnits = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 }).map((codes) => String.fromCharCode(...codes));
const bigText = fc
  .tuple(fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), fc.constantFrom('😀', 'مرحبا ', 'é\u0301', '\u0000\u0007')), fc.integer({ min: 9_000, max: 10_240 }))
  .map(([unit, size]) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size));

const text = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: anyUnits },
  { weight: 1, arbitrary: controlText },
  { weight: 1, arbitrary: bigText },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('report', 'rumour', 'fruit'), fc.string({ unit: 'grapheme', maxLength: 200 })).map(([a, b]) => `${a} ${b}`) },
);

function inputs(catalog: FlowCatalog): fc.Arbitrary<EngineInput> {
  const flowIds = [...catalog.flows.keys(), 'missing'];
  return fc.oneof(
    { weight: 8, arbitrary: text.map((value): EngineInput => ({ type: 'text', text: value })) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.oneof(fc.constantFrom('yes', 'no', '_skip', 'kanzi', 'violence', 'red,blue', 'en', 'ar', 'report', 'high'), fc.string({ maxLength: 70 })), fc.option(text, { nil: undefined }))
        .map(([choiceId, label]): EngineInput => (label === undefined ? { type: 'choice', choiceId } : { type: 'choice', choiceId, text: label })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.double({ min: -90, max: 90, noNaN: true }), fc.double({ min: -180, max: 180, noNaN: true }))
        .map(([latitude, longitude]): EngineInput => ({ type: 'location', latitude, longitude })),
    },
    { weight: 1, arbitrary: fc.option(text, { nil: undefined }).map((caption): EngineInput => (caption === undefined ? { type: 'media' } : { type: 'media', caption })) },
    { weight: 3, arbitrary: fc.constant<EngineInput>({ type: 'timeout' }) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...flowIds), fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 30 }), { maxKeys: 3 }))
        .map(([flowId, params]): EngineInput => ({ type: 'start', flowId, params })),
    },
  );
}

/** How the clock moves before an input: a little, a lot, or exactly to the session's timer. */
const clockMove = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 5 * 60_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 3 * 86_400_000 }) },
  { weight: 3, arbitrary: fc.constant(-1) },
);

const contactArbitrary: fc.Arbitrary<ContactView> = fc.record({
  language: fc.constantFrom(null, 'en', 'fr', 'ar', 'xx'),
  areaId: fc.constantFrom(null, 'kanzi', 'nowhere'),
  fields: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }),
});

function checkSequence(catalog: FlowCatalog, contact: ContactView, steps: [number, EngineInput][]): void {
  let session: FlowSession | null = null;
  let current: ContactView = contact;
  let now = T0.getTime();
  for (const [move, input] of steps) {
    now = move === -1 && session?.timeoutAt !== undefined ? Math.max(now, Date.parse(session.timeoutAt)) : now + Math.max(0, move);
    const result = step(catalog, current, session, input, new Date(now), { caseCode: CASE_CODE });
    if (result.session !== null) {
      const stored = JSON.parse(JSON.stringify(result.session)) as unknown;
      const parsed = flowSessionSchema.safeParse(stored);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      if (result.session !== session) {
        expect(Date.parse(result.session.expiresAt)).toBeGreaterThan(now);
        if (result.session.timeoutAt !== undefined) expect(Date.parse(result.session.timeoutAt)).toBeGreaterThan(now);
      }
    }
    for (const reply of result.replies) {
      expect(catalog.translator.has('en', reply.key), reply.key).toBe(true);
      if (reply.type === 'choice') expect(reply.choices.length).toBeGreaterThan(0);
    }
    for (const effect of result.effects) {
      if (effect.type === 'create_incident') expect(SEVERITIES).toContain(effect.severity);
      if (effect.type === 'record_rumour') expect(effect.text.length).toBeLessThanOrEqual(1000);
      if (effect.type === 'set_language') current = { ...current, language: effect.language };
      if (effect.type === 'set_area') current = { ...current, areaId: effect.areaId };
      if (effect.type === 'set_contact_field') current = { ...current, fields: { ...current.fields, [effect.field]: effect.value } };
    }
    session = result.session === null ? null : (JSON.parse(JSON.stringify(result.session)) as FlowSession);
  }
}

describe('the engine under any input', () => {
  const shipped = shippedCatalog().catalog;
  const inline = loadInline(ENGINE_FLOWS, ENGINE_TEXTS).catalog;

  it.each([
    ['the shipped flows', shipped],
    ['the engine test flows', inline],
  ] as const)('never throws and always leaves a valid session or none, with %s', (_name, catalog) => {
    fc.assert(
      fc.property(contactArbitrary, fc.array(fc.tuple(clockMove, inputs(catalog)), { minLength: 1, maxLength: 40 }), (contact, steps) => {
        checkSequence(catalog, contact, steps);
      }),
      { numRuns: 250 },
    );
  });

  it('takes 10 kB of any script at every question of the report flow', () => {
    const huge = ['😀', 'ع', 'é', '\u0000', '\u202e', 'x'].map((unit) => unit.repeat(10_240 / unit.length)).join('').slice(0, 10_240);
    const answers = ['report', '1', 'kanzi', 'today', '3', '2', huge, '2', 'yes'];
    for (let at = 0; at < answers.length; at += 1) {
      const sequence = answers.map((answer, index): [number, EngineInput] => [60_000, { type: 'text', text: index === at && index > 0 ? huge : answer }]);
      checkSequence(shipped, { language: 'en', areaId: null, fields: {} }, sequence);
    }
  });
});
