import { describe, expect, it } from 'vitest';
import { step, type EngineInput, type Reply } from '../../src/flow/engine.js';
import { flowSessionSchema, MAX_FLOW_DEPTH, type FlowSession } from '../../src/flow/session.js';
import { ENGINE_FLOWS, ENGINE_TEXTS } from './engine-flows.js';
import { CASE_CODE, Driver, loadInline, T0 } from './support.js';

const { catalog } = loadInline(ENGINE_FLOWS, ENGINE_TEXTS);

function started(flowId: string, contact: ConstructorParameters<typeof Driver>[1] = {}, params?: Record<string, string>): Driver {
  const driver = new Driver(catalog, contact);
  driver.send({ type: 'start', flowId, params });
  return driver;
}

function choiceReply(reply: Reply | undefined): Extract<Reply, { type: 'choice' }> {
  if (reply?.type !== 'choice') throw new Error(`expected a choice reply, got ${JSON.stringify(reply)}`);
  return reply;
}

describe('choices', () => {
  it('lists the options in order, as keys the caller resolves', () => {
    const driver = started('fruit');
    const reply = choiceReply(driver.last.replies[0]);
    expect(reply.key).toBe('t:pick');
    expect(reply.multiple).toBe(false);
    expect(reply.choices).toEqual([
      { id: 'apple', key: 't:apple' },
      { id: 'banana', key: 't:banana' },
      { id: 'cherry', key: 't:cherry' },
    ]);
    expect(driver.session?.stepId).toBe('pick');
  });

  it.each([
    ['the number as listed', { type: 'text', text: '2' }],
    ['the number with spaces and a dot', { type: 'text', text: '  2. ' }],
    ['the button id', { type: 'choice', choiceId: 'banana' }],
    ['the label, any case', { type: 'text', text: 'BANANA' }],
    ['the label followed by more words', { type: 'text', text: 'banana please' }],
  ] as [string, EngineInput][])('accepts %s', (_name, input) => {
    const driver = started('fruit');
    driver.send(input);
    expect(driver.last.replies).toEqual([{ type: 'text', key: 't:picked', params: { fruit: 'banana' } }]);
    expect(driver.session).toBeNull();
  });

  it("accepts the label and the extra words in the contact's language, without accents", () => {
    const french = started('fruit', { language: 'fr' });
    french.send('pommé');
    expect(french.last.replies[0]).toMatchObject({ key: 't:picked', params: { fruit: 'apple' } });
    const words = started('fruit', { language: 'fr' });
    words.send('Reinette');
    expect(words.last.replies[0]).toMatchObject({ params: { fruit: 'apple' } });
    const english = started('fruit');
    english.send('granny smith');
    expect(english.last.replies[0]).toMatchObject({ params: { fruit: 'apple' } });
  });

  it('accepts a label of another language when it is not ambiguous', () => {
    const driver = started('fruit', { language: 'en' });
    driver.send('Cerise');
    expect(driver.keys()).toEqual(['t:cherry_path']);
  });

  it("follows an option's own next step", () => {
    const driver = started('fruit');
    driver.send('3');
    expect(driver.keys()).toEqual(['t:cherry_path']);
  });

  it('re-asks with the hint and the options, then takes the fallback branch', () => {
    const driver = started('fruit');
    driver.send('4');
    const hint = choiceReply(driver.last.replies[0]);
    expect(hint.key).toBe('flow:invalid.choice');
    expect(hint.choices.map((choice) => choice.id)).toEqual(['apple', 'banana', 'cherry']);
    expect(driver.session?.attempts).toBe(1);
    driver.send({ type: 'choice', choiceId: 'durian' });
    expect(driver.keys()).toEqual(['t:fallback']);
    expect(driver.session).toBeNull();
  });

  it('takes several options by numbers, commas, run-together digits, words or buttons', () => {
    const answers: [EngineInput, string][] = [
      [{ type: 'text', text: '1 3' }, 'red,blue'],
      [{ type: 'text', text: '3,1' }, 'red,blue'],
      [{ type: 'text', text: '٣، ٢' }, 'green,blue'],
      [{ type: 'text', text: '13' }, 'red,blue'],
      [{ type: 'text', text: 'blue, Red' }, 'red,blue'],
      [{ type: 'text', text: 'green' }, 'green'],
      [{ type: 'choice', choiceId: 'blue,green' }, 'green,blue'],
    ];
    for (const [input, expected] of answers) {
      const driver = started('colours');
      expect(choiceReply(driver.last.replies[0]).multiple).toBe(true);
      driver.send(input);
      expect(driver.session?.results.colours, JSON.stringify(input)).toBe(expected);
    }
  });

  it('refuses a multiple answer with an option that does not exist', () => {
    const driver = started('colours');
    driver.send('1 7');
    expect(driver.keys()).toEqual(['flow:invalid.multiple']);
    expect(driver.session?.results.colours).toBeUndefined();
  });
});

describe('locations', () => {
  it('lists the localities of the gazetteer with their names in the contact language script', () => {
    const english = started('place');
    expect(choiceReply(english.last.replies[0]).choices).toEqual(
      ['Kanzi', 'Mbali', 'Tessa', 'Oroma', 'Lindu'].map((name) => ({ id: name.toLowerCase(), key: 'flow:area_option', params: { name } })),
    );
  });

  it.each([
    ['its number in the list', '3', 'tessa'],
    ['its name, any case', 'LINDU', 'lindu'],
    ['an alias without accents', 'riviere', 'river'],
    ['an Arabic alias written without hamza', 'اوروما', 'oroma'],
    ['a name inside a sentence', 'it is near the Mbali bridge', 'mbali'],
  ])('accepts an area by %s', (_name, text, area) => {
    const driver = started('place');
    driver.send(text);
    expect(driver.session?.results.where).toBe(area);
    expect(driver.session?.stepId).toBe('hold');
  });

  it('maps a shared GPS position to the nearest locality and keeps the position', () => {
    const driver = started('place');
    driver.send({ type: 'location', latitude: 1.29, longitude: 35.21 });
    expect(driver.session?.results).toMatchObject({ where: 'kanzi', 'where.latitude': '1.29', 'where.longitude': '35.21' });
    const south = started('place');
    south.send({ type: 'location', latitude: -0.4, longitude: 34.99 });
    expect(south.session?.results.where).toBe('lindu');
  });

  it('re-asks for a place it does not know, or a name shared by two areas', () => {
    const driver = started('place');
    driver.send('Kanzi or Mbali');
    expect(driver.keys()).toEqual(['flow:invalid.location']);
    driver.send('9');
    expect(driver.keys()).toEqual(['flow:invalid.location']);
  });
});

describe('numbers and dates', () => {
  it('reads a number in a sentence, in Arabic-Indic digits, with a thousands separator', () => {
    for (const [text, value] of [
      ['about 40 people', '40'],
      ['٤٢', '42'],
      ['1,000', null],
      ['100', '100'],
    ] as const) {
      const driver = started('count');
      driver.send(text);
      expect(driver.session?.results.count, text).toBe(value ?? undefined);
    }
  });

  it('skips with "?" when the question is skippable', () => {
    const driver = started('count');
    driver.send('?');
    expect(driver.session?.stepId).toBe('hold');
    expect(driver.session?.results.count).toBeUndefined();
  });

  it('reads day-first dates, ISO dates and words for today and yesterday', () => {
    for (const [text, value] of [
      ['25/12/2024', '2024-12-25'],
      ['3.4', '2025-04-03'],
      ['2025-02-28', '2025-02-28'],
      ['yesterday', '2025-04-30'],
      ['hier soir', '2025-04-30'],
      ['today', '2025-05-01'],
    ] as const) {
      const driver = started('when');
      driver.send(text, 0);
      expect(driver.session?.results.day, text).toBe(value);
    }
    const driver = started('when');
    driver.send('30/02/2025');
    expect(driver.keys()).toEqual(['flow:invalid.date']);
  });
});

describe('waits, timeouts and expiry', () => {
  it('arms a timer, reminds, then takes the timeout branch', () => {
    const driver = started('waits');
    expect(driver.session?.timeoutAt).toBe(new Date(T0.getTime() + 10 * 60_000).toISOString());
    driver.fireTimeout();
    expect(driver.keys()).toEqual(['t:question']);
    expect(driver.session?.reminders).toBe(1);
    driver.fireTimeout();
    expect(driver.keys()).toEqual(['t:question']);
    driver.fireTimeout();
    expect(driver.keys()).toEqual(['t:gone']);
    expect(driver.session).toBeNull();
  });

  it('ignores a timer that fires too early, or when nothing waits', () => {
    const driver = started('waits');
    const before = driver.session;
    driver.now = new Date(T0.getTime() + 5 * 60_000);
    const early = driver.send({ type: 'timeout' });
    expect(early).toEqual({ replies: [], session: before, effects: [] });
    const none = step(catalog, { language: 'en', areaId: null, fields: {} }, null, { type: 'timeout' }, T0, { caseCode: CASE_CODE });
    expect(none).toEqual({ replies: [], session: null, effects: [] });
  });

  it('a question with timeout: false waits without a timer', () => {
    const driver = started('waits');
    driver.send('something');
    expect(driver.session?.stepId).toBe('second');
    expect(driver.session?.timeoutAt).toBeUndefined();
    expect(driver.send({ type: 'timeout' }).replies).toEqual([]);
  });

  it('an answer clears the reminders and moves the expiry on from its own time', () => {
    const driver = started('waits');
    driver.fireTimeout();
    driver.now = new Date(driver.now.getTime() + 60_000);
    const answeredAt = driver.now.getTime();
    driver.send('an answer');
    expect(driver.session?.reminders).toBe(0);
    expect(driver.session?.timeoutAt).toBeUndefined();
    expect(Date.parse(driver.session?.expiresAt ?? '')).toBe(answeredAt + 3_600_000);
  });

  it('closes an expired conversation: a later message starts afresh', () => {
    const driver = started('waits');
    expect(driver.session?.expiresAt).toBe(new Date(T0.getTime() + 3_600_000).toISOString());
    driver.now = new Date(T0.getTime() + 3_600_000);
    driver.send('an answer too late');
    expect(driver.session?.flowId).toBe('home');
    expect(driver.keys()).toEqual(['t:hello']);
    const expired = started('waits');
    expired.now = new Date(T0.getTime() + 2 * 3_600_000);
    expect(expired.send({ type: 'timeout' })).toEqual({ replies: [], session: null, effects: [] });
  });
});

describe('sub-flows', () => {
  it('runs another flow and comes back with its results', () => {
    const driver = started('caller');
    expect(driver.keys()).toEqual(['t:before', 't:confirm']);
    expect(driver.session?.flowId).toBe('callee');
    expect(driver.session?.stack.map((frame) => frame.flowId)).toEqual(['caller']);
    expect(flowSessionSchema.safeParse(JSON.parse(JSON.stringify(driver.session))).success).toBe(true);
    driver.send('yes');
    expect(driver.last.replies).toEqual([
      { type: 'text', key: 't:after', params: { got: 'yes' } },
      { type: 'text', key: 't:hello' },
    ]);
    expect(driver.session?.flowId).toBe('caller');
    expect(driver.session?.stack).toEqual([]);
    expect(driver.session?.results).toMatchObject({ 'sub.answer': 'yes', 'sub.caller_was': 'caller' });
  });

  it('hands over for good with return: false', () => {
    const driver = started('handover');
    expect(driver.session?.flowId).toBe('fruit');
    expect(driver.session?.stack).toEqual([]);
  });

  it('stops a flow that starts itself for ever', () => {
    const driver = started('deep');
    expect(driver.keys()).toEqual(['flow:error']);
    expect(driver.session).toBeNull();
    expect(MAX_FLOW_DEPTH).toBeGreaterThan(1);
  });
});

describe('triggers and interruptions', () => {
  it('starts the default flow for a message no trigger takes', () => {
    const driver = new Driver(catalog);
    driver.send('whatever');
    expect(driver.session?.flowId).toBe('home');
  });

  it("starts a flow by its keyword, the first word, in the contact's language or another", () => {
    const driver = new Driver(catalog, { language: 'fr' });
    driver.send('Accueil svp');
    expect(driver.session?.flowId).toBe('home');
    driver.send('fruit');
    expect(driver.session?.flowId).toBe('fruit');
  });

  it('gives the words after a keyword to the flow as the parameter text', () => {
    const driver = new Driver(catalog);
    driver.send('FRUIT: I want a cherry');
    expect(driver.session?.params).toEqual({ text: 'I want a cherry' });
  });

  it('sets the language of a new contact from a keyword only one language has', () => {
    const driver = new Driver(catalog, { language: null });
    driver.send('accueil');
    expect(driver.last.effects).toEqual([{ type: 'set_language', language: 'fr' }]);
    const shared = new Driver(catalog, { language: null });
    shared.send('fruit');
    expect(shared.last.effects).toEqual([]);
  });

  it('lets a keyword interrupt an interruptible question', () => {
    const driver = started('fruit');
    driver.send('home');
    expect(driver.session?.flowId).toBe('home');
  });

  it('treats a keyword as an answer where the flow does not allow interruption', () => {
    const driver = started('guarded');
    driver.send('home is where the attack was');
    expect(driver.session?.flowId).toBe('guarded');
    expect(driver.session?.results.story).toBe('home is where the attack was');
    driver.send('home');
    expect(driver.session?.flowId).toBe('home');
  });

  it('never takes a button press for a keyword', () => {
    const driver = started('fruit');
    driver.send({ type: 'choice', choiceId: 'home', text: 'home' });
    expect(driver.session?.flowId).toBe('fruit');
    expect(driver.keys()).toEqual(['flow:invalid.choice']);
  });

  it('refuses a start while a question may not be interrupted, and a start of an unknown flow', () => {
    const driver = started('guarded');
    const before = driver.session;
    const busy = driver.send({ type: 'start', flowId: 'fruit' });
    expect(busy.startRefused).toEqual({ flowId: 'fruit', reason: 'busy' });
    expect(busy.session).toBe(before);
    expect(busy.replies).toEqual([]);
    const unknown = driver.send({ type: 'start', flowId: 'nope' });
    expect(unknown.startRefused).toEqual({ flowId: 'nope', reason: 'unknown_flow' });
  });

  it('a staff start replaces an interruptible conversation', () => {
    const driver = started('fruit');
    driver.send({ type: 'start', flowId: 'colours' });
    expect(driver.session?.flowId).toBe('colours');
    expect(driver.last.startRefused).toBeUndefined();
  });

  it('does not depend on opt-out words: STOP, START and HELP are ordinary text here', () => {
    for (const word of ['STOP', 'START', 'HELP']) {
      const driver = new Driver(catalog);
      driver.send(word);
      expect(driver.session?.flowId).toBe('home');
      expect(driver.last.effects).toEqual([]);
    }
  });
});

describe('conditions and contact fields', () => {
  it.each([
    [{ fields: { role: 'monitor' } }, {}, '30', 't:adult_monitor'],
    [{ fields: { role: 'monitor' } }, {}, '17', 't:plain'],
    [{}, { mode: 'test' }, '30', 't:special'],
    [{ areaId: 'kanzi' }, {}, '30', 't:special'],
    [{}, {}, '70', 't:senior'],
    [{}, {}, '30', 't:plain'],
  ] as const)('contact %j, params %j, age %s -> %s', (contact, params, age, expected) => {
    const driver = started('gate', contact, params);
    driver.send(age);
    expect(driver.keys()).toEqual([expected]);
  });

  it('sets the language, the area and fields, and subscribes', () => {
    const driver = started('settings', { language: 'en' }, { language: 'fr', area: 'mbali' });
    expect(driver.last.effects).toEqual([
      { type: 'set_language', language: 'fr' },
      { type: 'set_area', areaId: 'mbali' },
      { type: 'set_contact_field', field: 'role', value: 'monitor' },
      { type: 'subscribe', topic: 'alerts' },
      { type: 'unsubscribe', topic: 'news' },
    ]);
  });

  it('ignores a language that is not configured and an area that does not exist', () => {
    const driver = started('settings', { language: 'en' }, { language: 'xx', area: 'atlantis' });
    expect(driver.last.effects.map((effect) => effect.type)).toEqual(['set_contact_field', 'subscribe', 'unsubscribe']);
  });
});

describe('purity and robustness', () => {
  it('gives the same result for the same arguments and modifies nothing it is given', () => {
    const driver = started('caller');
    const session = driver.session as FlowSession;
    const frozen = JSON.parse(JSON.stringify(session)) as FlowSession;
    const contact = Object.freeze({ language: 'en', areaId: null, fields: Object.freeze({}) });
    const deepFreeze = (value: unknown): void => {
      if (typeof value === 'object' && value !== null) {
        Object.freeze(value);
        Object.values(value).forEach(deepFreeze);
      }
    };
    deepFreeze(session);
    const at = new Date(T0.getTime() + 120_000);
    const first = step(catalog, contact, session, { type: 'text', text: 'yes' }, at, { caseCode: CASE_CODE });
    const second = step(catalog, contact, session, { type: 'text', text: 'yes' }, at, { caseCode: CASE_CODE });
    expect(second).toEqual(first);
    expect(session).toEqual(frozen);
  });

  it('does nothing at an invalid time', () => {
    const result = step(catalog, { language: 'en', areaId: null, fields: {} }, null, { type: 'text', text: 'hi' }, new Date(Number.NaN), { caseCode: CASE_CODE });
    expect(result).toEqual({ replies: [], session: null, effects: [] });
  });

  it('treats a session whose flow or step no longer exists as absent', () => {
    const driver = started('fruit');
    const stale = { ...(driver.session as FlowSession), stepId: 'removed_step' };
    const result = step(catalog, driver.contact, stale, { type: 'text', text: '1' }, driver.now, { caseCode: CASE_CODE });
    expect(result.session?.flowId).toBe('home');
  });

  it('keeps text answers within their length, whole characters only', () => {
    const driver = started('guarded');
    driver.send('😀'.repeat(3000));
    const story = driver.session?.results.story ?? '';
    expect(Array.from(story).every((character) => character === '😀')).toBe(true);
    expect(story.length).toBeLessThanOrEqual(2000);
  });
});
