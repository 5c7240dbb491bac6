import { describe, expect, it } from 'vitest';
import { countSegments } from '../../src/segments.js';

describe('GSM-7 segments', () => {
  it.each([
    [0, 0],
    [1, 1],
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
    [459, 3],
    [460, 4],
  ])('%i plain characters make %i segment(s)', (length, segments) => {
    expect(countSegments('a'.repeat(length))).toEqual({ encoding: 'GSM-7', units: length, segments });
  });

  it('treats an empty text as zero segments', () => {
    expect(countSegments('').segments).toBe(0);
  });

  it('keeps accented letters of the basic table in GSM-7 at one septet each', () => {
    const text = 'Café à Ñoño, Øresund: 5£ @ 10:00 ¿Qué? ¡Ahí!'.replace('í', 'i');
    expect(countSegments(text)).toMatchObject({ encoding: 'GSM-7', units: Array.from(text).length });
  });

  it('switches to UCS-2 for accented letters outside the basic table (í, ú, ç)', () => {
    for (const char of ['í', 'ú', 'ç', 'ş']) expect(countSegments(`Salut ${char}`).encoding).toBe('UCS-2');
  });

  it('counts the extension characters twice', () => {
    for (const char of ['€', '[', ']', '{', '}', '^', '~', '|', '\\']) {
      expect(countSegments(char)).toEqual({ encoding: 'GSM-7', units: 2, segments: 1 });
    }
  });

  it('fits 80 euro signs (160 septets) in one segment and needs two for 81', () => {
    expect(countSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments('€'.repeat(81))).toEqual({ encoding: 'GSM-7', units: 162, segments: 2 });
  });

  it('tips a 159-character text with one bracket into two segments', () => {
    expect(countSegments(`${'a'.repeat(158)}[`)).toMatchObject({ units: 160, segments: 1 });
    expect(countSegments(`${'a'.repeat(159)}[`)).toMatchObject({ units: 161, segments: 2 });
  });

  it('does not split an extension character across two segments', () => {
    // 152 septets, then € (escape + code, 2 septets) which cannot straddle the 153-septet
    // boundary, then 152 more: the parts are 152 | € + 151 | 1, i.e. three segments.
    const text = `${'a'.repeat(152)}€${'a'.repeat(152)}`;
    expect(countSegments(text)).toMatchObject({ encoding: 'GSM-7', units: 306, segments: 3 });
  });
});

describe('UCS-2 segments', () => {
  it('switches the whole text to UCS-2 for any Arabic letter', () => {
    expect(countSegments(`${'a'.repeat(100)}ب`)).toEqual({ encoding: 'UCS-2', units: 101, segments: 2 });
  });

  it('switches to UCS-2 for an emoji, which takes two units', () => {
    expect(countSegments('ok 👍')).toEqual({ encoding: 'UCS-2', units: 5, segments: 1 });
  });

  it('switches to UCS-2 for typographic quotes', () => {
    expect(countSegments('It’s closed').encoding).toBe('UCS-2');
  });

  it.each([
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
    [201, 3],
    [202, 4],
  ])('%i UCS-2 units make %i segment(s)', (length, segments) => {
    expect(countSegments('ب'.repeat(length))).toEqual({ encoding: 'UCS-2', units: length, segments });
  });

  it('counts 35 emoji as 70 units in one segment and 36 as two segments', () => {
    expect(countSegments('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(countSegments('😀'.repeat(36))).toEqual({ encoding: 'UCS-2', units: 72, segments: 2 });
  });

  it('does not split an emoji (a surrogate pair) across two segments', () => {
    // 66 units, then an emoji (2 units) that cannot straddle the 67-unit boundary, then 66 more:
    // the parts are 66 | emoji + 65 | 1, i.e. three segments.
    const text = `${'ب'.repeat(66)}😀${'ب'.repeat(66)}`;
    expect(countSegments(text)).toMatchObject({ encoding: 'UCS-2', units: 134, segments: 3 });
  });
});
