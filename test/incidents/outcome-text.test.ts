/**
 * An action's outcome in its reader's language: a duration parameter (`…Ms`) is written in the
 * reader's words and units, not in English ones, whatever language the rest of the text is in.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTranslator } from '../../src/i18n.js';
import { outcomeText } from '../../src/incidents/notify.js';

const translator = loadTranslator(join(import.meta.dirname, '..', '..', 'locales'));
const acknowledged = (timeoutMs: number) => ({ key: 'reply.acknowledged', params: { code: 'R-7KQ2MX', timeoutMs } });

describe('an outcome in its reader’s language', () => {
  it('writes the acknowledgement timeout in the responder’s units and decimal mark', () => {
    expect(outcomeText(translator, 'en', acknowledged(2 * 86_400_000))).toContain('opens again in 2 d.');
    expect(outcomeText(translator, 'fr', acknowledged(2 * 86_400_000))).toContain('rouvert dans 2 j.');
    // Arabic texts isolate each parameter (U+2068 … U+2069) so a Latin code keeps its direction.
    expect(outcomeText(translator, 'ar', acknowledged(30 * 60_000)).replace(/[\u2068\u2069]/g, '')).toContain('بعد 30 دقيقة.');
    expect(outcomeText(translator, 'fr', acknowledged(90 * 60_000))).toContain('rouvert dans 1,5 h.');
  });

  it('leaves other parameters as they are, and an `…Ms` parameter that is not a number', () => {
    expect(outcomeText(translator, 'en', { key: 'reply.already_acknowledged', params: { code: 'R-7KQ2MX', name: 'Kanzi Ms' } })).toBe('R-7KQ2MX is already acknowledged by Kanzi Ms. Nothing was changed.');
    expect(outcomeText(translator, 'en', { key: 'reply.acknowledged', params: { code: 'R-7KQ2MX', timeoutMs: 'soon' } })).toContain('opens again in {{timeout}}');
  });
});
