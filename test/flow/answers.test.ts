import { describe, expect, it } from 'vitest';
import { parseDate, parseNumber, parseYesNo, type Vocabulary } from '../../src/flow/answers.js';
import { CASE_CODE_ALPHABET, CASE_CODE_PATTERN, parseCaseCode } from '../../src/flow/case-code.js';
import { fold } from '../../src/flow/normalize.js';

const english: Vocabulary = { yes: ['yes', 'ok'], no: ['no'], skip: ['?'], today: ['today'], yesterday: ['yesterday', 'last night'] };

describe('fold', () => {
  it('ignores case, accents, Arabic vowel marks and letter variants, and punctuation', () => {
    expect(fold('  Rivière!! ')).toBe('riviere');
    expect(fold('Aujourd’hui')).toBe('aujourdhui');
    expect(fold('أوروما')).toBe(fold('اوروما'));
    expect(fold('مدرسة')).toBe(fold('مدرسه'));
    expect(fold('عَرَبيّ')).toBe('عربي');
    expect(fold('٤٢')).toBe('42');
    expect(fold('18-29')).toBe('18 29');
  });

  it('keeps a text made only of punctuation', () => {
    expect(fold(' ? ')).toBe('?');
    expect(fold('؟')).toBe('؟');
  });
});

describe('parseNumber', () => {
  it.each([
    ['12', 12],
    ['about 40 people', 40],
    ['1,200', 1200],
    ['1 200', 1200],
    ['٣٠', 30],
    ['۱۵', 15],
  ])('%s -> %d', (text, value) => {
    expect(parseNumber(text, true)).toBe(value);
  });

  it('refuses no number, two numbers and fractions where whole numbers are asked', () => {
    expect(parseNumber('many', true)).toBeNull();
    expect(parseNumber('between 10 and 20', true)).toBeNull();
    expect(parseNumber('2.5', true)).toBeNull();
    expect(parseNumber('2,5', false)).toBe(2.5);
  });
});

describe('parseDate', () => {
  const now = new Date('2025-01-02T03:00:00Z');
  it('reads dates day first, ISO dates and relative words', () => {
    expect(parseDate('25/12/2024', now, [english])).toBe('2024-12-25');
    expect(parseDate('25-12-24', now, [english])).toBe('2024-12-25');
    expect(parseDate('7/1', now, [english])).toBe('2024-01-07');
    expect(parseDate('2024-02-29', now, [english])).toBe('2024-02-29');
    expect(parseDate('yesterday evening', now, [english])).toBe('2025-01-01');
    expect(parseDate('Last night', now, [english])).toBe('2025-01-01');
    expect(parseDate('today', now, [english])).toBe('2025-01-02');
  });

  it('refuses dates that do not exist and texts that are not dates', () => {
    expect(parseDate('2023-02-29', now, [english])).toBeNull();
    expect(parseDate('31/04', now, [english])).toBeNull();
    expect(parseDate('next week', now, [english])).toBeNull();
    expect(parseDate('12', now, [english])).toBeNull();
  });
});

describe('parseYesNo', () => {
  it('reads yes and no, and nothing else', () => {
    expect(parseYesNo('Yes please', [english])).toBe('yes');
    expect(parseYesNo('OK', [english])).toBe('yes');
    expect(parseYesNo('no.', [english])).toBe('no');
    expect(parseYesNo('nothing', [english])).toBeNull();
    expect(parseYesNo('', [english])).toBeNull();
  });
});

describe('case codes', () => {
  it('has an alphabet without look-alikes', () => {
    for (const character of '01ILO') expect(CASE_CODE_ALPHABET).not.toContain(character);
    expect(CASE_CODE_PATTERN.test('R-7K3M9P')).toBe(true);
    expect(CASE_CODE_PATTERN.test('R-7K3M9O')).toBe(false);
  });

  it('reads codes as people type them', () => {
    expect(parseCaseCode(' r-7k3m9p ')).toBe('R-7K3M9P');
    expect(parseCaseCode('R 7K3M9P')).toBe('R-7K3M9P');
    expect(parseCaseCode('r7k3m9p')).toBe('R-7K3M9P');
    expect(parseCaseCode('R-٧K٣M٩P')).toBe('R-7K3M9P');
  });

  it('does not take ordinary words for codes unless a code was asked for', () => {
    expect(parseCaseCode('request')).toBeNull();
    expect(parseCaseCode('request', true)).toBe('R-EQUEST');
    expect(parseCaseCode('R-ABC')).toBeNull();
    expect(parseCaseCode('R-10OIL1')).toBeNull();
    expect(parseCaseCode(`R-7K3M9P${' '.repeat(100)}x`)).toBeNull();
  });
});
