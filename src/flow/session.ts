/**
 * The conversation state the engine hands back after every step. The caller stores it as JSON
 * and validates it with flowSessionSchema when it reads it back.
 */
import { z } from 'zod';

const valuesSchema = z.record(z.string(), z.string());

/** A flow waiting for a sub-flow to finish. */
export const flowFrameSchema = z.object({
  flowId: z.string().min(1),
  /** The start_flow step to continue after. */
  stepId: z.string().min(1),
  results: valuesSchema,
  params: valuesSchema,
});
export type FlowFrame = z.infer<typeof flowFrameSchema>;

/** Deepest nesting of sub-flows. */
export const MAX_FLOW_DEPTH = 8;

export const flowSessionSchema = z.object({
  version: z.literal(1),
  /** The flow being run (the innermost one when sub-flows are running). */
  flowId: z.string().min(1),
  /** The question waiting for an answer. */
  stepId: z.string().min(1),
  /** Answers and values set so far in this flow, by result name. */
  results: valuesSchema,
  /** Start parameters of this flow (e.g. a survey wave). */
  params: valuesSchema,
  /** Parent flows, outermost first. */
  stack: z.array(flowFrameSchema).max(MAX_FLOW_DEPTH),
  /**
   * Tag of the sending of the question waiting for an answer (see questionTag): buttons carry
   * it, so that a press on an older question's buttons is told apart. Absent in sessions stored
   * before tags existed.
   */
  asked: z.string().regex(/^[0-9a-z]{1,12}$/).optional(),
  /** Answers to this question that were not understood. */
  attempts: z.int().min(0),
  /** Reminders already sent for this question. */
  reminders: z.int().min(0),
  startedAt: z.iso.datetime(),
  /** When the wait times out: the caller schedules a `{ type: 'timeout' }` input for then. */
  timeoutAt: z.iso.datetime().optional(),
  /** After this instant the session is treated as absent: a new message starts afresh. */
  expiresAt: z.iso.datetime(),
});

/** A running conversation. JSON-serialisable. */
export type FlowSession = z.infer<typeof flowSessionSchema>;
