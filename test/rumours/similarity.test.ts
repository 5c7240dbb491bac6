import { describe, expect, it } from 'vitest';
import { normaliseText, similarity, tokens } from '../../src/rumours/similarity.js';

describe('rumour similarity', () => {
  it('finds the same rumour told differently, in English, French and Arabic', () => {
    expect(similarity('They say the water in Kanzi is poisoned', 'Is it true the water at Kanzi was poisoned?')).toBe(1);
    expect(similarity("On dit que l'eau de Kanzi est empoisonnée", "L'eau à Kanzi est empoisonnée, c'est vrai ?")).toBe(1);
    expect(similarity('يقولون إن الماء في كانزي مسموم', 'هل صحيح أن الماء في كانزي مسموم؟')).toBe(1);
    expect(similarity('polling stations close at noon', 'polling station closes at noon on Sunday')).toBeGreaterThanOrEqual(0.5);
  });

  it('forgives misspellings through trigrams', () => {
    expect(similarity('soldiers coming to mbali tonight', 'soldjers comming to mbali tonite')).toBeGreaterThanOrEqual(0.5);
  });

  it('keeps different rumours apart', () => {
    expect(similarity('They say the water in Kanzi is poisoned', 'Soldiers are coming to Mbali tonight')).toBeLessThan(0.2);
    expect(similarity('the election is cancelled', 'the market is closed tomorrow')).toBeLessThan(0.2);
    expect(similarity('', '')).toBe(0);
  });

  it('normalises case, accents, punctuation and Arabic letter forms', () => {
    expect(normaliseText('Élection ANNULÉE !!')).toBe('election annulee');
    expect(normaliseText('إشاعة')).toBe(normaliseText('اشاعة'));
    expect([...tokens('The wells are poisoned')]).toEqual(['well', 'poisoned']);
  });
});
