import { describe, expect, it } from 'vitest';
import { step } from '../../src/flow/engine.js';
import { CASE_CODE, shippedCatalog, T0 } from './support.js';

describe('the shipped flows', () => {
  const { catalog, warnings, texts } = shippedCatalog();

  it('load with the real locales in English, French and Arabic', () => {
    expect(catalog.languages).toEqual(['en', 'ar', 'fr']);
    expect([...catalog.flows.keys()].sort()).toEqual(['case', 'language', 'profile', 'profile_demographics', 'registration', 'report', 'rumour', 'survey', 'welcome']);
    expect(catalog.defaultFlowId).toBe('welcome');
    expect(catalog.caseCodeFlowId).toBe('case');
  });

  it('keep every text, options included, within two SMS segments', () => {
    expect(warnings).toEqual([]);
    expect(texts.length).toBeGreaterThan(100);
    expect(Math.max(...texts.map((text) => text.segments))).toBeLessThanOrEqual(2);
  });

  it('warn that SMS is not encrypted in the sensitive flows, in every language', () => {
    const { translator } = catalog;
    const warning: Record<string, RegExp> = { en: /not encrypted/, fr: /pas chiffrés/, ar: /غير مشفرة/ };
    for (const language of ['en', 'fr', 'ar']) {
      expect(translator.t(language, 'report:intro_sms')).toMatch(warning[language] as RegExp);
      // On a chat channel the report's warning speaks of the chat, not of SMS.
      expect(translator.t(language, 'report:intro')).not.toMatch(warning[language] as RegExp);
      expect(translator.t(language, 'report:intro')).not.toMatch(/SMS|الرسائل القصيرة/);
      expect(translator.t(language, 'rumour:ask_rumour')).toMatch(warning[language] as RegExp);
    }
  });

  it('offer the report categories and severities the incident model expects', () => {
    const report = catalog.flows.get('report');
    const ids = (stepId: string) => {
      const found = report?.steps.get(stepId);
      return found?.type === 'ask_choice' ? found.choices.map((choice) => choice.id) : [];
    };
    expect(ids('ask_category')).toEqual(['violence', 'armed_group_movement', 'hate_speech', 'security_force_abuse', 'displacement', 'other']);
    expect(ids('ask_severity')).toEqual(['low', 'medium', 'high', 'critical']);
  });

  it('always offer "prefer not to say" for the demographics of the survey', () => {
    const survey = catalog.flows.get('survey');
    for (const stepId of ['ask_gender', 'ask_age']) {
      const question = survey?.steps.get(stepId);
      expect(question?.type === 'ask_choice' && question.choices.map((choice) => choice.id)).toContain('prefer_not_to_say');
    }
  });

  it('answer a case code from any state where interruption is allowed', () => {
    const result = step(catalog, { language: 'fr', areaId: null, fields: {} }, null, { type: 'text', text: 'R-7K3M9P' }, T0, { caseCode: CASE_CODE });
    expect(result.effects).toEqual([{ type: 'case_status', caseCode: 'R-7K3M9P' }]);
    expect(result.session).toBeNull();
  });
});
