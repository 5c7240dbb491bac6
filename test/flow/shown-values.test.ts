/** Values shown inside texts: a day in the reader's format, a long answer as an excerpt. */
import { describe, expect, it } from 'vitest';
import { excerpt, shownDay } from '../../src/flow/shown-values.js';

describe('shownDay', () => {
  it('shows a stored YYYY-MM-DD day as each language writes it', () => {
    expect(shownDay('2026-12-05', 'en')).toBe('5 Dec 2026');
    expect(shownDay('2026-12-05', 'fr')).toBe('05/12/2026');
    const arabic = shownDay('2026-12-05', 'ar');
    expect(arabic).toContain('ديسمبر');
    expect(arabic).not.toContain('2026-12-05');
  });

  it('leaves a date given in words, and a day that does not exist, as they are', () => {
    expect(shownDay('hier soir vers 22h', 'fr')).toBe('hier soir vers 22h');
    expect(shownDay('2026-13-40', 'en')).toBe('2026-13-40');
  });
});

describe('excerpt', () => {
  it('keeps a text that fits, its spaces collapsed', () => {
    expect(excerpt('  Shots   at the market ', 60)).toBe('Shots at the market');
  });

  it('cuts a long text at the last word that fits and adds three full stops (GSM-7, not the ellipsis character)', () => {
    const shown = excerpt('Armed men are crossing the village from the north road and asking for the chiefs', 40);
    expect(shown).toBe('Armed men are crossing the village from...');
    expect(Array.from(shown).length).toBeLessThanOrEqual(43);
  });

  it('cuts a text without spaces at the limit, never inside a character', () => {
    expect(excerpt('🙂'.repeat(30), 10)).toBe(`${'🙂'.repeat(10)}...`);
  });
});
