/**
 * Every audit action the server can write has a label in the console's three languages (en, fr,
 * ar), so the audit page never shows a raw code such as `responder.created`. The actions are
 * found by reading the sources: each quoted `area.verb` literal on a line that writes an audit
 * entry (`action: ...`, `audit(...)`); an action built from a template must be one the test knows
 * how to expand, so a new kind of write cannot slip past.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditActionKey } from '../../console/parts/audit-action.js';

const ROOT = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.includes('generated'))
    .map((f) => join(ROOT, dir, f));
}

/** Templates the sources build actions from, and what they expand to. */
const TEMPLATES: Record<string, string[]> = {
  // links.ts: a duplicate follows its primary's status (open again is a re-trigger).
  "`incident.${data.status === 'open' ? 'retriggered' : data.status}`": ['incident.retriggered', 'incident.acknowledged', 'incident.resolved'],
};

function auditActions(): string[] {
  const found = new Set<string>();
  for (const file of [...sources('src'), ...sources('bots')]) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!/\baction: |\baudit\(/.test(line)) continue;
      for (const m of line.matchAll(/'([a-z_]+(?:\.[a-z_]+)+)'/g)) found.add(m[1]!);
      for (const m of line.matchAll(/action: (`[^`]*`)/g)) {
        const expansion = TEMPLATES[m[1]!];
        expect(expansion, `${file}: an action built as ${m[1]} (add its expansion to this test)`).toBeDefined();
        for (const action of expansion!) found.add(action);
      }
    }
  }
  return [...found].sort();
}

const locale = (language: string) => JSON.parse(readFileSync(join(ROOT, 'locales', language, 'console.json'), 'utf8')) as Record<string, Record<string, string>>;

describe('audit action labels', () => {
  const actions = auditActions();

  it('finds the audit writes of every feature', () => {
    // The scan reaches the writers it must (incidents, rosters, broadcasts, accounts, rumours, surveys, protection).
    for (const action of ['incident.notified', 'responder.created', 'responder.updated', 'broadcast.feedback.read', 'auth.login', 'rumour.publish', 'survey.exported', 'contact.erased']) expect(actions).toContain(action);
  });

  for (const language of ['en', 'fr', 'ar']) {
    it(`labels each of them in ${language}`, () => {
      const texts = locale(language);
      const missing = actions.filter((action) => {
        const key = auditActionKey(action).split('.');
        return typeof texts[key[0]!]?.[key[1]!] !== 'string' || key.length !== 2;
      });
      expect(missing).toEqual([]);
    });
  }
});
