/**
 * The flow file format, version 1. A flow is a YAML document in flows/: triggers, defaults and an
 * ordered list of steps, each a variant of a discriminated union on `type`. Every text a person
 * reads is an i18n key (`namespace:key`). flows/flow.schema.json is generated from these schemas.
 */
import { z } from 'zod';

/** The version of the flow format this code reads (older documents are upgraded, see migrate.ts). */
export const FLOW_SCHEMA_VERSION = 1;

const NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** A run of hexadecimal characters mixing letters and digits, as in generated ids. */
const GENERATED = /(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{8,}/;

export const stepIdSchema = z
  .string()
  .regex(NAME, 'a step id is a readable name: lower-case letters, digits and _, starting with a letter')
  .refine((id) => !GENERATED.test(id), 'a step id is a readable name such as ask_severity, not a generated id')
  .meta({ description: 'Id of a step in this flow, e.g. ask_severity.' });

export const flowIdSchema = z
  .string()
  .regex(NAME, 'a flow id is lower-case letters, digits and _, starting with a letter')
  .meta({ description: 'Id of a flow, e.g. report.' });

const resultNameSchema = z
  .string()
  .regex(NAME, 'a result name is lower-case letters, digits and _, starting with a letter')
  .meta({ description: 'Name under which the answer is kept in the session results.' });

/** A result read by a value or a condition; `where.latitude` reads the GPS part of a location answer. */
const resultRefSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}(\.[a-z][a-z0-9_]{0,63})?$/, 'a result name, optionally followed by .latitude or .longitude');

const fieldNameSchema = z
  .string()
  .regex(/^[a-zA-Z][a-zA-Z0-9_]{0,63}$/, 'a contact field name is letters, digits and _');

const textKeySchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*:[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'a text is an i18n key written namespace:key, e.g. report:ask_category')
  .meta({ description: 'An i18n key, namespace:key, resolved in locales/<language>/<namespace>.json.' });

/** Durations are written 90s, 30m, 2h, 1d or combined (1h30m). */
export const durationSchema = z
  .string()
  .regex(/^(?=\d)(\d+d)?(\d+h)?(\d+m)?(\d+s)?$/, 'a duration such as 90s, 30m, 2h, 1d or 1h30m')
  .meta({ description: 'A duration: 90s, 30m, 2h, 1d or combined (1h30m).' });

/** Milliseconds in a duration written as durationSchema accepts it. */
export function durationMs(text: string): number {
  const units: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
  let total = 0;
  for (const match of text.matchAll(/(\d+)([dhms])/g)) total += Number(match[1]) * (units[match[2] as string] ?? 0);
  return total;
}

const defaultSchema = z.string().optional().meta({ description: 'Used when the referenced value is absent or empty.' });

/** A value: a literal, or read from the session results, the start parameters or the contact. */
export const valueSchema = z
  .union([
    z.string(),
    z.number(),
    z.boolean(),
    z.strictObject({
      result: resultRefSchema,
      default: defaultSchema,
      label: textKeySchema
        .optional()
        .meta({ description: 'In a text: show the text of key <label>.<value> (an option label) instead of the value.' }),
      area: z.literal(true).optional().meta({ description: 'In a text: show the name of the area the value is the id of.' }),
      date: z
        .literal(true)
        .optional()
        .meta({ description: "In a text: show a YYYY-MM-DD value as a day in the reader's language (fr 05/12/2026, en 5 Dec 2026)." }),
      excerpt: z
        .number()
        .int()
        .min(10)
        .max(500)
        .optional()
        .meta({ description: 'In a text: show at most this many characters of the value, cut at a word, followed by "...".' }),
    }),
    z.strictObject({ param: fieldNameSchema, default: defaultSchema }),
    z.strictObject({ field: fieldNameSchema, default: defaultSchema }),
    z.strictObject({ contact: z.enum(['language', 'area', 'channel']), default: defaultSchema }),
  ])
  .meta({ id: 'Value', description: 'A literal, or { result }, { param }, { field } (contact field) or { contact: language | area | channel }.' });
export type FlowValue = z.infer<typeof valueSchema>;

const paramsSchema = z
  .record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/), valueSchema)
  .meta({ description: 'Values interpolated into the text ({{name}} in the locale file).' });

/** One comparison: a subject (result, param, contact field or contact property) and operators. */
export interface FlowComparison {
  result?: string;
  param?: string;
  field?: string;
  contact?: 'language' | 'area' | 'channel';
  equals?: string | number;
  notEquals?: string | number;
  in?: (string | number)[];
  includes?: string;
  exists?: boolean;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}
/** A structured condition: comparisons combined with all / any / not. Never evaluated as code. */
export type FlowCondition = FlowComparison | { all: FlowCondition[] } | { any: FlowCondition[] } | { not: FlowCondition };

const SUBJECTS = ['result', 'param', 'field', 'contact'] as const;
const OPERATORS = ['equals', 'notEquals', 'in', 'includes', 'exists', 'gt', 'gte', 'lt', 'lte'] as const;

const scalar = z.union([z.string(), z.number()]);
const comparisonSchema = z
  .strictObject({
    result: resultRefSchema.optional(),
    param: fieldNameSchema.optional(),
    field: fieldNameSchema.optional(),
    contact: z.enum(['language', 'area', 'channel']).optional(),
    equals: scalar.optional(),
    notEquals: scalar.optional(),
    in: z.array(scalar).optional(),
    includes: z.string().optional().meta({ description: 'The answer of a multiple choice contains this option id.' }),
    exists: z.boolean().optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
  })
  .superRefine((value, context) => {
    const subjects = SUBJECTS.filter((name) => value[name] !== undefined);
    if (subjects.length !== 1) {
      context.addIssue({ code: 'custom', message: 'a comparison names exactly one of result, param, field, contact' });
    }
    if (!OPERATORS.some((name) => value[name] !== undefined)) {
      context.addIssue({ code: 'custom', message: `a comparison needs an operator: ${OPERATORS.join(', ')}` });
    }
  });

export const conditionSchema: z.ZodType<FlowCondition> = z
  .lazy(() =>
    z.union([
      comparisonSchema,
      z.strictObject({ all: z.array(conditionSchema).min(1) }),
      z.strictObject({ any: z.array(conditionSchema).min(1) }),
      z.strictObject({ not: conditionSchema }),
    ]),
  )
  .meta({ id: 'Condition', description: 'A comparison ({ result: severity, equals: high }) or { all | any: [...] } or { not: ... }.' });

const timeoutSchema = z
  .strictObject({
    after: durationSchema.optional().meta({ description: 'How long to wait for an answer.' }),
    reminders: z.int().min(0).max(5).optional().meta({ description: 'How many times the question is asked again before giving up (default 1).' }),
    next: stepIdSchema.optional().meta({ description: 'Step taken after the last reminder went unanswered. Without it the conversation ends quietly.' }),
  })
  .meta({ description: 'Waiting for an answer: re-ask after `after`, then take `next`.' });

const stepBase = {
  id: stepIdSchema,
  next: stepIdSchema.optional().meta({ description: 'The step that follows (default: the next one in the list; after the last, the flow ends).' }),
};

const askBase = {
  ...stepBase,
  text: textKeySchema.meta({ description: 'The question.' }),
  params: paramsSchema.optional(),
  result: resultNameSchema,
  invalid: textKeySchema.optional().meta({ description: 'Hint sent with an answer that is not understood (default flow:invalid.<kind>).' }),
  retries: z.int().min(0).max(10).optional().meta({ description: 'How many times an answer that is not understood is re-asked before `onInvalid` (default from the flow, else 2).' }),
  onInvalid: stepIdSchema.optional().meta({ description: 'Step taken when the retries are used up (default from the flow; else the conversation ends).' }),
  timeout: z.union([z.literal(false), timeoutSchema]).optional().meta({ description: 'Overrides the flow timeout; false waits without a timer.' }),
  interruptible: z.boolean().optional().meta({ description: 'Whether a keyword of another flow interrupts this question (default from the flow).' }),
  skippable: z.boolean().optional().meta({ description: 'Accept "skip" / "?" (flow:words.skip): the result stays unset.' }),
};

const sendStep = z.strictObject({
  type: z.literal('send'),
  ...stepBase,
  text: textKeySchema,
  params: paramsSchema.optional(),
});

const askTextStep = z.strictObject({
  type: z.literal('ask_text'),
  ...askBase,
  minLength: z.int().min(1).optional(),
  maxLength: z.int().min(1).max(4000).optional().meta({ description: 'Longer answers are cut (default 2000).' }),
  format: z.enum(['case_code']).optional().meta({ description: 'Only accept text of this shape (case_code: R-7K3M9P).' }),
});

const askNumberStep = z.strictObject({
  type: z.literal('ask_number'),
  ...askBase,
  min: z.number().optional(),
  max: z.number().optional(),
  integer: z.boolean().optional().meta({ description: 'Accept whole numbers only (default true).' }),
});

const askDateStep = z.strictObject({
  type: z.literal('ask_date'),
  ...askBase,
  allowText: z
    .boolean()
    .optional()
    .meta({ description: 'Keep the answer as typed when it is not a date ("last week"); otherwise re-ask.' }),
});

const choiceOptionSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,47}$/, 'a choice id is lower-case letters, digits, _ and -'),
  label: textKeySchema,
  words: textKeySchema.optional().meta({ description: 'Key of other words accepted for this option, separated by |.' }),
  next: stepIdSchema.optional().meta({ description: 'Step taken when this option is chosen (single choice).' }),
});

const askChoiceStep = z.strictObject({
  type: z.literal('ask_choice'),
  ...askBase,
  choices: z.array(choiceOptionSchema).min(1).max(20),
  multiple: z.boolean().optional().meta({ description: 'Several options may be chosen ("1 3"); the result is their ids joined by commas.' }),
});

const areaLevelSchema = z.enum(['nation', 'region', 'locality']);

const askLocationStep = z.strictObject({
  type: z.literal('ask_location'),
  ...askBase,
  levels: z.array(areaLevelSchema).min(1).optional().meta({ description: 'Area levels accepted (default region and locality).' }),
  list: z
    .union([areaLevelSchema, z.literal(false)])
    .optional()
    .meta({ description: 'Level of the areas listed as numbered options (default locality); false lists none.' }),
});

const askYesNoStep = z.strictObject({
  type: z.literal('ask_yes_no'),
  ...askBase,
  yes: stepIdSchema.optional().meta({ description: 'Step taken on yes.' }),
  no: stepIdSchema.optional().meta({ description: 'Step taken on no.' }),
});

const branchStep = z.strictObject({
  type: z.literal('branch'),
  ...stepBase,
  cases: z
    .array(z.strictObject({ when: conditionSchema, next: stepIdSchema }))
    .min(1)
    .meta({ description: 'The first case whose condition holds is taken; otherwise `next`.' }),
});

const setContactFieldStep = z.strictObject({
  type: z.literal('set_contact_field'),
  ...stepBase,
  field: fieldNameSchema.meta({ description: 'A contact field; `language` and `area` set the contact language and area.' }),
  value: valueSchema,
});

const setResultStep = z.strictObject({
  type: z.literal('set_result'),
  ...stepBase,
  result: resultNameSchema,
  value: valueSchema,
});

const startFlowStep = z.strictObject({
  type: z.literal('start_flow'),
  ...stepBase,
  flow: flowIdSchema,
  params: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/), valueSchema).optional(),
  return: z.boolean().optional().meta({ description: 'Come back here when the other flow finishes (default true); false hands over for good.' }),
  result: resultNameSchema.optional().meta({ description: 'On return, the other flow\'s results are copied as <result>.<name>.' }),
});

const actionBase = { type: z.literal('action'), ...stepBase };

const createIncidentAction = z.strictObject({
  ...actionBase,
  action: z.literal('create_incident'),
  category: valueSchema,
  area: valueSchema.optional(),
  location: z
    .strictObject({ result: resultNameSchema })
    .optional()
    .meta({ description: 'A location answer whose GPS position, if shared, is sent with the incident.' }),
  occurredAt: valueSchema.optional(),
  affected: valueSchema.optional(),
  severity: valueSchema,
  description: valueSchema.optional(),
  anonymous: z.union([z.boolean(), conditionSchema]),
  callbackAllowed: z.union([z.boolean(), conditionSchema]),
  result: resultNameSchema.optional().meta({ description: 'Result that receives the case code (default case_code).' }),
});

const caseStatusAction = z.strictObject({ ...actionBase, action: z.literal('case_status'), caseCode: valueSchema });

const recordSurveyResponseAction = z.strictObject({
  ...actionBase,
  action: z.literal('record_survey_response'),
  survey: z.string().min(1),
  wave: valueSchema.optional().meta({ description: 'Default: the start parameter `wave`, else baseline.' }),
  area: valueSchema.optional(),
  answers: z.array(resultNameSchema).min(1).meta({ description: 'Results recorded, one answer per question.' }),
  demographics: z.strictObject({ gender: valueSchema.optional(), ageBand: valueSchema.optional() }).optional(),
  complete: z.boolean().optional().meta({ description: 'Whether this records a finished survey (default true); false records what was answered before the person stopped.' }),
  indicators: z
    .array(
      z.strictObject({
        id: resultNameSchema.meta({ description: 'Indicator id, e.g. police_protectors.' }),
        label: textKeySchema.meta({ description: 'Its name, an i18n key.' }),
        question: resultNameSchema.meta({ description: 'The question (one of answers).' }),
        positive: z.array(z.string().min(1)).min(1).meta({ description: 'Answers that count as positive; the indicator is their share.' }),
      }),
    )
    .optional()
    .meta({ description: 'Indicators tracked per area across waves (survey results).' }),
});

const recordRumourAction = z.strictObject({
  ...actionBase,
  action: z.literal('record_rumour'),
  text: valueSchema,
  area: valueSchema.optional(),
});

const subscribeAction = z.strictObject({ ...actionBase, action: z.literal('subscribe'), topic: z.string().min(1) });
const unsubscribeAction = z.strictObject({ ...actionBase, action: z.literal('unsubscribe'), topic: z.string().min(1) });

const showProfileAction = z
  .strictObject({ ...actionBase, action: z.literal('show_profile') })
  .meta({ description: 'Replies with the contact\'s profile (home area, language, gender, age band).' });
const clearProfileAction = z
  .strictObject({ ...actionBase, action: z.literal('clear_profile') })
  .meta({ description: 'Removes the contact\'s home area, gender and age band.' });

const actionStep = z.discriminatedUnion('action', [
  createIncidentAction,
  caseStatusAction,
  recordSurveyResponseAction,
  recordRumourAction,
  subscribeAction,
  unsubscribeAction,
  showProfileAction,
  clearProfileAction,
]);

const endStep = z.strictObject({
  /** Ends the whole conversation, sub-flows and the flows that started them included. */
  type: z.literal('end'),
  id: stepIdSchema,
  text: textKeySchema.optional().meta({ description: 'A last message, if any.' }),
  params: paramsSchema.optional(),
});

const returnStep = z
  .strictObject({ type: z.literal('return'), id: stepIdSchema })
  .meta({ description: 'Finishes this flow: back to the flow that started it, or the conversation ends.' });

export const stepSchema = z
  .discriminatedUnion('type', [
    sendStep,
    askTextStep,
    askNumberStep,
    askDateStep,
    askChoiceStep,
    askLocationStep,
    askYesNoStep,
    branchStep,
    setContactFieldStep,
    setResultStep,
    startFlowStep,
    actionStep,
    returnStep,
    endStep,
  ])
  .meta({ id: 'Step' });

export type FlowStep = z.infer<typeof stepSchema>;
export type AskStep = Extract<FlowStep, { type: `ask_${string}` }>;
export type ActionStep = Extract<FlowStep, { type: 'action' }>;
export type ChoiceOption = z.infer<typeof choiceOptionSchema>;
export type AreaLevel = z.infer<typeof areaLevelSchema>;

/** The step types that wait for an answer. */
export const ASK_TYPES = ['ask_text', 'ask_number', 'ask_date', 'ask_choice', 'ask_location', 'ask_yes_no'] as const;

export function isAskStep(step: FlowStep): step is AskStep {
  return (ASK_TYPES as readonly string[]).includes(step.type);
}

const keywordSchema = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[^\s\d][^\s]*$/, 'a keyword is one word, not a number');

export const flowDocumentSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(FLOW_SCHEMA_VERSION).meta({ description: 'Version of the flow format.' }),
    id: flowIdSchema,
    description: z.string().optional().meta({ description: 'What the flow is for (for staff; never sent).' }),
    triggers: z
      .strictObject({
        keywords: z
          .record(z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]+)?$/, 'a language code such as en, fr, ar'), z.array(keywordSchema))
          .optional()
          .meta({ description: 'First words that start this flow, per language.' }),
        default: z.boolean().optional().meta({ description: 'Start this flow for any message that no other trigger takes (one flow at most).' }),
        caseCode: z.boolean().optional().meta({ description: 'Start this flow for a message that is a case code, with the parameter caseCode (one flow at most).' }),
      })
      .optional(),
    interruptible: z.boolean().optional().meta({ description: 'Whether another flow\'s keyword interrupts this one (default true).' }),
    expiresAfter: durationSchema.optional().meta({ description: 'Inactivity after which the conversation is closed (default 1d).' }),
    clearChat: z.boolean().optional().meta({
      description:
        'Once this flow has sent a report, delete its conversation from the person\'s chat where the channel allows it (Telegram), keeping the last message with the case code (default true).',
    }),
    retries: z.int().min(0).max(10).optional().meta({ description: 'Default retries of the questions (default 2).' }),
    onInvalid: stepIdSchema.optional().meta({ description: 'Default step taken when a question\'s retries are used up.' }),
    timeout: timeoutSchema.optional().meta({ description: 'Default waiting of the questions.' }),
    start: stepIdSchema.optional().meta({ description: 'First step (default: the first in the list).' }),
    steps: z.array(stepSchema).min(1),
  })
  .meta({ id: 'Flow', title: 'Conversation flow', description: 'A conversation flow of the gateway (flows/*.yaml).' });

export type FlowDocument = z.infer<typeof flowDocumentSchema>;
