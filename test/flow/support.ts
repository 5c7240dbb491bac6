/** Helpers of the flow tests: the shipped catalog, and small catalogs built from inline YAML. */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTranslator } from '../../src/i18n.js';
import { areaViews, readAreas } from '../../src/areas/gazetteer.js';
import type { AreaView } from '../../src/flow/areas.js';
import { loadFlowCatalog, type FlowCatalog, type LoadedFlowCatalog } from '../../src/flow/catalog.js';
import { step, type ContactView, type EngineInput, type StepResult } from '../../src/flow/engine.js';
import type { FlowSession } from '../../src/flow/session.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const FLOWS_DIR = join(ROOT, 'flows');
export const LOCALES_DIR = join(ROOT, 'locales');
export const SEED_AREAS = join(ROOT, 'prisma', 'seed', 'areas.yaml');

export function seedAreas(): AreaView[] {
  return areaViews(readAreas(SEED_AREAS));
}

let shipped: LoadedFlowCatalog | undefined;
/** The flows of flows/ with the real locales and the seed gazetteer. */
export function shippedCatalog(): LoadedFlowCatalog {
  shipped ??= loadFlowCatalog({ flowsDir: FLOWS_DIR, translator: loadTranslator(LOCALES_DIR), areas: seedAreas() });
  return shipped;
}

/** A folder with flow files and locales: the engine's own texts (en, fr) plus a `t` namespace. */
export function makeFlowDir(
  flows: Record<string, string>,
  texts: Record<string, Record<string, unknown>> = {},
  languages: string[] = ['en', 'fr'],
): { root: string; flowsDir: string; localesDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'flow-test-'));
  const flowsDir = join(root, 'flows');
  const localesDir = join(root, 'locales');
  mkdirSync(flowsDir);
  for (const language of languages) {
    mkdirSync(join(localesDir, language), { recursive: true });
    cpSync(join(LOCALES_DIR, language, 'flow.json'), join(localesDir, language, 'flow.json'));
    writeFileSync(join(localesDir, language, 't.json'), JSON.stringify(texts[language] ?? {}));
  }
  for (const [name, text] of Object.entries(flows)) writeFileSync(join(flowsDir, name), text);
  return { root, flowsDir, localesDir };
}

/** Loads a catalog from inline flows (throws as the boot would). */
export function loadInline(
  flows: Record<string, string>,
  texts: Record<string, Record<string, unknown>> = {},
  languages: string[] = ['en', 'fr'],
): LoadedFlowCatalog {
  const dir = makeFlowDir(flows, texts, languages);
  return loadFlowCatalog({ flowsDir: dir.flowsDir, translator: loadTranslator(dir.localesDir), areas: seedAreas() });
}

export const T0 = new Date('2025-05-01T08:00:00.000Z');
export const CASE_CODE = 'R-7K3M9P';

/** Drives the engine like the caller: applies contact effects, keeps the session, moves the clock. */
export class Driver {
  session: FlowSession | null = null;
  contact: ContactView;
  now: Date;
  last!: StepResult;

  constructor(
    readonly catalog: FlowCatalog,
    contact: Partial<ContactView> = {},
    now: Date = T0,
  ) {
    this.contact = { language: 'en', areaId: null, fields: {}, ...contact };
    this.now = now;
  }

  send(input: EngineInput | string, advanceMs = 60_000): StepResult {
    const message: EngineInput = typeof input === 'string' ? { type: 'text', text: input } : input;
    this.last = step(this.catalog, this.contact, this.session, message, this.now, { caseCode: CASE_CODE });
    for (const effect of this.last.effects) {
      if (effect.type === 'set_language') this.contact = { ...this.contact, language: effect.language };
      if (effect.type === 'set_area') this.contact = { ...this.contact, areaId: effect.areaId };
      if (effect.type === 'set_contact_field') this.contact = { ...this.contact, fields: { ...this.contact.fields, [effect.field]: effect.value } };
    }
    this.session = this.last.session;
    this.now = new Date(this.now.getTime() + advanceMs);
    return this.last;
  }

  /** Fires the session's timer at its time. */
  fireTimeout(): StepResult {
    const at = this.session?.timeoutAt;
    if (at === undefined) throw new Error('no timer set');
    this.now = new Date(at);
    return this.send({ type: 'timeout' }, 0);
  }

  keys(): string[] {
    return this.last.replies.map((reply) => reply.key);
  }
}
