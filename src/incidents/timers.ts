/** The timers of incidents: the next escalation step and the acknowledgement timeout. */
import { z } from 'zod';
import { defineTimer } from '../jobs/timers.js';
import { ACK_TIMEOUT, ESCALATE } from './ladder-timers.js';

const count = z.coerce.number().int().min(0);

/** Level `level` of round `round` of an incident's escalation comes due. */
export const ESCALATE_TIMER = defineTimer(ESCALATE, z.object({ incidentId: z.string().min(1), level: count, round: count }));

/** An acknowledged incident of round `round` was not resolved in time: it re-triggers. */
export const ACK_TIMEOUT_TIMER = defineTimer(ACK_TIMEOUT, z.object({ incidentId: z.string().min(1), round: count }));
