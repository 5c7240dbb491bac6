import { describe, expect, it } from 'vitest';
import { MAX_SMS_CHARACTERS, renderSms } from '../../bots/twilio-sms/index.js';

describe('rendering outbound messages as SMS', () => {
  it('leaves out the directional isolates put around values in right-to-left texts', () => {
    const rendered = renderSms({ type: 'choice', text: 'رمز البلاغ: \u2068R-QFEUBM\u2069', multiple: false, choices: [{ id: 'kanzi', label: '\u2068كانزي\u2069' }] });
    expect(rendered.text).toBe('رمز البلاغ: R-QFEUBM\n1. كانزي');
  });

  it('sends a text as it is, with its encoding and segments', () => {
    expect(renderSms({ type: 'text', text: 'Meeting at 10:00 in the hall' })).toEqual({
      text: 'Meeting at 10:00 in the hall',
      encoding: 'GSM-7',
      segments: 1,
      characters: 28,
    });
  });

  it('turns a choice into the question followed by a numbered list', () => {
    const sms = renderSms({
      type: 'choice',
      text: 'How safe do you feel at the market?',
      choices: [
        { id: 'safe', label: 'Safe' },
        { id: 'unsure', label: 'Unsure' },
        { id: 'unsafe', label: 'Unsafe' },
      ],
      multiple: false,
    });
    expect(sms.text).toBe('How safe do you feel at the market?\n1. Safe\n2. Unsure\n3. Unsafe');
  });

  it('numbers a multiple choice the same way (the question says several may be picked)', () => {
    const sms = renderSms({
      type: 'choice',
      text: 'What did you see? Send all numbers that apply, e.g. "1 3".',
      choices: [
        { id: 'fire', label: 'Fire' },
        { id: 'crowd', label: 'Crowd' },
        { id: 'weapons', label: 'Weapons' },
      ],
      multiple: true,
    });
    expect(sms.text).toBe('What did you see? Send all numbers that apply, e.g. "1 3".\n1. Fire\n2. Crowd\n3. Weapons');
  });

  it('counts the segments of the rendered list, not of the question alone', () => {
    const question = 'a'.repeat(150);
    const sms = renderSms({ type: 'choice', text: question, choices: [{ id: 'y', label: 'Yes' }, { id: 'n', label: 'No' }], multiple: false });
    expect(sms.text.length).toBe(150 + '\n1. Yes\n2. No'.length);
    expect(sms.segments).toBe(2);
  });

  it('turns a location into its text and a geo: URI', () => {
    expect(renderSms({ type: 'location', text: 'Shelter open here', latitude: -1.2921, longitude: 36.8219 }).text).toBe(
      'Shelter open here\ngeo:-1.2921,36.8219',
    );
  });

  it('gives a location without text as the geo: URI alone, rounded to six decimals', () => {
    expect(renderSms({ type: 'location', latitude: 9.0054321987, longitude: -13.12 }).text).toBe('geo:9.005432,-13.12');
  });

  it('turns media into caption and link', () => {
    expect(renderSms({ type: 'media', url: 'https://files.example.org/a.jpg', caption: 'Flood map' }).text).toBe(
      'Flood map\nhttps://files.example.org/a.jpg',
    );
    expect(renderSms({ type: 'media', url: 'https://files.example.org/a.jpg' }).text).toBe('https://files.example.org/a.jpg');
  });

  it('makes a choice with an Arabic label UCS-2', () => {
    const sms = renderSms({ type: 'choice', text: 'Is it true?', choices: [{ id: 'y', label: 'نعم' }], multiple: false });
    expect(sms.encoding).toBe('UCS-2');
  });

  it('counts characters, not UTF-16 units, against the 1600 limit', () => {
    expect(MAX_SMS_CHARACTERS).toBe(1600);
    expect(renderSms({ type: 'text', text: '🙏'.repeat(1600) }).characters).toBe(1600);
  });

  it('writes letters outside GSM-7 with their base letter when that keeps the whole text GSM-7 (a reporter\'s words echoed)', () => {
    // û, â, ê, î, ô, ç, œ are not GSM-7; é, è, à, ù and the capital Ç are, and stay.
    const echoed = renderSms({ type: 'text', text: 'Des hommes armés ont brûlé deux maisons près du marché ; même la forêt, l\'hôpital. Ça suffit, ça va, cœur.' });
    expect(echoed.text).toBe('Des hommes armés ont brulé deux maisons près du marché ; meme la foret, l\'hopital. Ça suffit, ca va, coeur.');
    expect(echoed.encoding).toBe('GSM-7');
    expect(echoed.segments).toBe(1);
    // Capitals too, and letters with two marks.
    expect(renderSms({ type: 'text', text: 'ÎLE, Ê, Ô, ǘ' }).text).toBe('ILE, E, O, ü');
  });

  it('keeps every letter as written when the text is UCS-2 anyway (Arabic, or a letter with no GSM-7 base)', () => {
    expect(renderSms({ type: 'text', text: 'brûlé — حريق' }).text).toBe('brûlé - حريق');
    expect(renderSms({ type: 'text', text: 'forêt 🔥' }).text).toBe('forêt 🔥');
  });
});
