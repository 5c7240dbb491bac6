/** Small flows exercising one engine feature each, with their texts in English and French. */

export const ENGINE_FLOWS: Record<string, string> = {
  'home.yaml': `
version: 1
id: home
triggers: { default: true, keywords: { en: [home], fr: [accueil] } }
steps:
  - { id: hello, type: ask_text, text: 't:hello', result: anything }
`,
  'fruit.yaml': `
version: 1
id: fruit
triggers: { keywords: { en: [fruit], fr: [fruit] } }
retries: 1
steps:
  - id: pick
    type: ask_choice
    text: t:pick
    result: fruit
    onInvalid: fallback
    choices:
      - { id: apple, label: t:apple, words: t:apple_words }
      - { id: banana, label: t:banana }
      - { id: cherry, label: t:cherry, next: cherry_path }
  - { id: picked, type: end, text: t:picked, params: { fruit: { result: fruit } } }
  - { id: cherry_path, type: end, text: t:cherry_path }
  - { id: fallback, type: end, text: t:fallback }
`,
  'colours.yaml': `
version: 1
id: colours
steps:
  - id: pick
    type: ask_choice
    text: t:colours
    result: colours
    multiple: true
    choices:
      - { id: red, label: t:red }
      - { id: green, label: t:green }
      - { id: blue, label: t:blue }
  - { id: hold, type: ask_text, text: t:hello, result: after }
`,
  'place.yaml': `
version: 1
id: place
steps:
  - { id: where, type: ask_location, text: 't:where', result: where }
  - { id: hold, type: ask_text, text: 't:hello', result: after }
`,
  'count.yaml': `
version: 1
id: count
steps:
  - { id: how_many, type: ask_number, text: 't:how_many', result: count, min: 1, max: 100, retries: 2, skippable: true }
  - { id: hold, type: ask_text, text: 't:hello', result: after }
`,
  'when.yaml': `
version: 1
id: when
steps:
  - { id: day, type: ask_date, text: 't:when', result: day }
  - { id: hold, type: ask_text, text: 't:hello', result: after }
`,
  'waits.yaml': `
version: 1
id: waits
expiresAfter: 1h
timeout: { after: 10m, reminders: 2, next: gone }
steps:
  - { id: question, type: ask_text, text: 't:question', result: answer }
  - { id: second, type: ask_yes_no, text: 't:confirm', result: ok, timeout: false }
  - { id: done, type: end, text: 't:done' }
  - { id: gone, type: end, text: 't:gone' }
`,
  'caller.yaml': `
version: 1
id: caller
steps:
  - { id: before, type: send, text: 't:before' }
  - { id: call, type: start_flow, flow: callee, params: { asked_by: caller }, result: sub }
  - { id: after, type: send, text: 't:after', params: { got: { result: sub.answer } } }
  - { id: hold, type: ask_text, text: 't:hello', result: after }
`,
  'callee.yaml': `
version: 1
id: callee
steps:
  - { id: check, type: ask_yes_no, text: 't:confirm', result: answer }
  - { id: who, type: set_result, result: caller_was, value: { param: asked_by } }
`,
  'guarded.yaml': `
version: 1
id: guarded
interruptible: false
triggers: { keywords: { en: [guarded] } }
steps:
  - { id: story, type: ask_text, text: 't:question', result: story }
  - { id: open_question, type: ask_text, text: 't:question', result: more, interruptible: true }
`,
  'gate.yaml': `
version: 1
id: gate
steps:
  - { id: age, type: ask_number, text: 't:how_many', result: age }
  - id: route
    type: branch
    cases:
      - when: { all: [{ result: age, gte: 18 }, { field: role, equals: monitor }] }
        next: adult_monitor
      - when: { any: [{ param: mode, equals: test }, { contact: area, exists: true }] }
        next: special
      - when: { not: { result: age, lt: 65 } }
        next: senior
  - { id: plain, type: end, text: 't:plain' }
  - { id: adult_monitor, type: end, text: 't:adult_monitor' }
  - { id: special, type: end, text: 't:special' }
  - { id: senior, type: end, text: 't:senior' }
`,
  'settings.yaml': `
version: 1
id: settings
steps:
  - { id: language, type: set_contact_field, field: language, value: { param: language } }
  - { id: area, type: set_contact_field, field: area, value: { param: area } }
  - { id: role, type: set_contact_field, field: role, value: monitor }
  - { id: topic, type: action, action: subscribe, topic: alerts }
  - { id: untopic, type: action, action: unsubscribe, topic: news }
  - { id: said, type: end, text: 't:done' }
`,
  'deep.yaml': `
version: 1
id: deep
steps:
  - { id: again, type: start_flow, flow: deep }
`,
  'handover.yaml': `
version: 1
id: handover
steps:
  - { id: go, type: start_flow, flow: fruit, return: false }
`,
};

const EN: Record<string, unknown> = {
  hello: 'Hello, say anything.',
  pick: 'Pick a fruit',
  apple: 'Apple',
  apple_words: 'granny smith|pippin',
  banana: 'Banana',
  cherry: 'Cherry',
  picked: 'You picked {{fruit}}',
  cherry_path: 'Cherries!',
  fallback: 'Let us stop here.',
  colours: 'Pick colours',
  red: 'Red',
  green: 'Green',
  blue: 'Blue',
  where: 'Where?',
  how_many: 'How many?',
  when: 'When?',
  question: 'Tell me',
  confirm: 'Sure?',
  done: 'Done',
  gone: 'Gone',
  before: 'Before',
  after: 'After: {{got}}',
  plain: 'Plain',
  adult_monitor: 'Adult monitor',
  special: 'Special',
  senior: 'Senior',
};

const FR: Record<string, unknown> = {
  ...EN,
  hello: 'Bonjour, dites quelque chose.',
  pick: 'Choisissez un fruit',
  apple: 'Pomme',
  apple_words: 'reinette',
  banana: 'Banane',
  cherry: 'Cerise',
  picked: 'Vous avez choisi {{fruit}}',
  colours: 'Choisissez des couleurs',
  red: 'Rouge',
  green: 'Vert',
  blue: 'Bleu',
  where: 'Où ?',
  how_many: 'Combien ?',
  when: 'Quand ?',
  question: 'Dites-moi',
  confirm: 'Sûr ?',
  done: 'Fini',
  gone: 'Parti',
  before: 'Avant',
  after: 'Après : {{got}}',
};

export const ENGINE_TEXTS = { en: EN, fr: FR };
