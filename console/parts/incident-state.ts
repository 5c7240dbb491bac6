/**
 * The state a person reads for an incident: new (open, first level told), escalating (open and
 * passed to a higher level), acknowledged, resolved.
 */
export type IncidentState = 'new' | 'escalating' | 'acknowledged' | 'resolved';

export interface EscalationSummary {
  notifiedLevel: number | null;
  waitingFor?: string | null;
  nextAt?: string | null;
}

export function incidentState(status: string, escalation: EscalationSummary | null): IncidentState {
  if (status === 'acknowledged' || status === 'resolved') return status;
  return (escalation?.notifiedLevel ?? 0) >= 1 ? 'escalating' : 'new';
}

export const STATES: IncidentState[] = ['new', 'escalating', 'acknowledged', 'resolved'];
export const SEVERITIES = ['low', 'medium', 'high', 'critical'];
export const CATEGORIES = ['violence', 'armed_group_movement', 'hate_speech', 'security_force_abuse', 'displacement', 'other'];
