/**
 * What a step asks the outside world to do. The engine only describes effects; the caller
 * executes them (in order) before it resolves and sends the replies.
 */

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

/**
 * The contact fields of a profile besides the home area and the language: personal data, given
 * only with consent, stored encrypted with the other contact fields, removed by `clear_profile`.
 */
export const PROFILE_FIELDS = ['gender', 'age_band'] as const;

export type Effect =
  /** The contact chose a language. */
  | { type: 'set_language'; language: string }
  /** A contact field (not `area`, which is set_area). */
  | { type: 'set_contact_field'; field: string; value: string }
  | { type: 'set_area'; areaId: string }
  /** A report was completed. `caseCode` is the FreshValues code given to the step. */
  | {
      type: 'create_incident';
      caseCode: string;
      category: string;
      areaId: string | null;
      /** Free text or an ISO date (YYYY-MM-DD), as answered. */
      occurredAt: string | null;
      affected: number | null;
      severity: Severity;
      description: string;
      anonymous: boolean;
      callbackAllowed: boolean;
      /** A GPS position the reporter shared, if any. */
      location?: { latitude: number; longitude: number };
    }
  /** The caller replies with the status of this case. */
  | { type: 'case_status'; caseCode: string }
  | {
      type: 'record_survey_response';
      surveyId: string;
      wave: string;
      areaId: string | null;
      /** Answer (option id or text) by question. */
      answers: Record<string, string>;
      demographics: { gender?: string; ageBand?: string };
      /** False when the person stopped before the end (what was answered is recorded). */
      complete: boolean;
      /** When the flow started (ISO 8601): the time to complete is measured from it. */
      startedAt: string;
    }
  | { type: 'record_rumour'; text: string; areaId: string | null }
  /** The caller replies with the contact's profile (home area, language, gender, age band). */
  | { type: 'show_profile' }
  /** The contact asked to forget their profile: home area, gender and age band are removed. */
  | { type: 'clear_profile' }
  | { type: 'subscribe'; topic: string }
  | { type: 'unsubscribe'; topic: string };
