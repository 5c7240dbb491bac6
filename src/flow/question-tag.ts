/**
 * The tag of one sending of a question. Buttons carry it (Telegram callback_data, Slack action
 * value), so that a press answers only the question whose buttons it belongs to: a press on an
 * older question's buttons carries another tag and is ignored.
 */

/**
 * A short tag (1-7 characters of [0-9a-z]) for asking question `stepId` of flow `flowId` at
 * `time` (ms since the epoch): FNV-1a, 32 bits, in base 36. Pure, so the engine stays pure.
 */
export function questionTag(flowId: string, stepId: string, time: number): string {
  let hash = 0x811c9dc5;
  for (const char of `${flowId}\n${stepId}\n${time}`) {
    hash ^= char.codePointAt(0) as number;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}
