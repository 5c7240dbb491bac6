/** Settings of the incidents capability (environment variables, parsed with the configuration). */
import { z } from 'zod';
import { projectPath } from '../paths.js';

/** The shipped escalation policies. */
export const DEFAULT_POLICY_FILE = projectPath('src', 'incidents', 'policies.yaml');

export const incidentSettingsSchema = z.object({
  /** Escalation policies (YAML, checked at boot: a bad file stops it naming the field). */
  INCIDENT_POLICY_FILE: z.string().min(1).default(DEFAULT_POLICY_FILE),
  /** Multiplies every escalation delay (0.01 makes 10 minutes 6 seconds, for drills and demos). */
  INCIDENT_DELAY_SCALE: z.coerce.number({ message: 'a number > 0' }).positive({ message: 'a number > 0' }).default(1),
});

export type IncidentSettings = z.output<typeof incidentSettingsSchema>;
