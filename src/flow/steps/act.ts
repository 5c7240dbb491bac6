/**
 * Action steps: what a flow asks the caller to do (create an incident, look up a case, record a
 * survey response or a rumour, subscribe), as an effect built from the session's results.
 */
import type { AreaIndex } from '../areas.js';
import { parseCaseCode } from '../case-code.js';
import { evaluateCondition, resolveValue, type Scope } from '../conditions.js';
import { SEVERITIES, type Effect, type Severity } from '../effects.js';
import type { ActionStep, FlowCondition, FlowValue } from '../schema.js';
import type { FlowSession } from '../session.js';

/** What an action reads besides the session. */
export interface ActionContext {
  /** The session's results and parameters and the contact, as values and conditions read them. */
  scope: Scope;
  /** The gazetteer: an area id that is not in it becomes null. */
  areas: AreaIndex;
  /** The case code the caller minted for this call (used by create_incident). */
  caseCode: string;
}

/**
 * The effect of an action step. A `create_incident` also stores its case code in the session's
 * results (`result`, default `case_code`); a `case_status` without a valid case code has none.
 */
export function actionEffect(action: ActionStep, session: FlowSession, context: ActionContext): Effect | null {
  const { scope } = context;
  const read = (value: FlowValue | undefined) => (value === undefined ? null : resolveValue(value, scope));
  const truth = (value: boolean | FlowCondition) => (typeof value === 'boolean' ? value : evaluateCondition(value, scope));
  const areaId = (value: FlowValue | undefined) => {
    const id = read(value);
    return id !== null && context.areas.get(id) !== undefined ? id : null;
  };
  switch (action.action) {
    case 'create_incident': {
      const severity = read(action.severity);
      const affected = read(action.affected);
      const affectedNumber = affected === null || affected.trim() === '' ? NaN : Number(affected);
      const effect: Extract<Effect, { type: 'create_incident' }> = {
        type: 'create_incident',
        caseCode: context.caseCode,
        category: read(action.category) ?? 'other',
        areaId: areaId(action.area),
        occurredAt: read(action.occurredAt),
        affected: Number.isFinite(affectedNumber) ? affectedNumber : null,
        severity: SEVERITIES.includes(severity as Severity) ? (severity as Severity) : 'medium',
        description: read(action.description) ?? '',
        anonymous: truth(action.anonymous),
        callbackAllowed: truth(action.callbackAllowed),
      };
      if (action.location !== undefined) {
        const latitude = Number(session.results[`${action.location.result}.latitude`]);
        const longitude = Number(session.results[`${action.location.result}.longitude`]);
        if (session.results[`${action.location.result}.latitude`] !== undefined && Number.isFinite(latitude) && Number.isFinite(longitude)) {
          effect.location = { latitude, longitude };
        }
      }
      session.results[action.result ?? 'case_code'] = context.caseCode;
      return effect;
    }
    case 'case_status': {
      const caseCode = parseCaseCode(read(action.caseCode) ?? '', true);
      return caseCode === null ? null : { type: 'case_status', caseCode };
    }
    case 'record_survey_response': {
      const answers: Record<string, string> = {};
      for (const name of action.answers) {
        const value = session.results[name];
        if (value !== undefined) answers[name] = value;
      }
      const demographics: { gender?: string; ageBand?: string } = {};
      const gender = read(action.demographics?.gender);
      const ageBand = read(action.demographics?.ageBand);
      if (gender !== null) demographics.gender = gender;
      if (ageBand !== null) demographics.ageBand = ageBand;
      return {
        type: 'record_survey_response',
        surveyId: action.survey,
        wave: (action.wave === undefined ? session.params.wave || null : read(action.wave)) ?? 'baseline',
        areaId: areaId(action.area),
        answers,
        demographics,
        complete: action.complete ?? true,
        startedAt: session.startedAt,
      };
    }
    case 'record_rumour':
      return { type: 'record_rumour', text: read(action.text) ?? '', areaId: areaId(action.area) };
    case 'subscribe':
    case 'unsubscribe':
      return { type: action.action, topic: action.topic };
    case 'show_profile':
    case 'clear_profile':
      return { type: action.action };
  }
}
