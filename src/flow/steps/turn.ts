/** What the steps of one engine call read of that call. */
import type { Vocabulary } from '../answers.js';
import type { FlowCatalog } from '../catalog.js';

/**
 * The call a step runs in. The contact's language can change during a call (a keyword in one
 * language, a `set_contact_field` step), so it is read each time it is needed.
 */
export interface Turn {
  readonly catalog: FlowCatalog;
  /** The time of the call, milliseconds since the epoch. */
  readonly time: number;
  /** The language the contact is answered in: theirs when the catalog has it, else the default. */
  readonly language: string;
  /** Vocabularies to read answers with, in groups tried in order: the language's own, then all. */
  vocabularies(): Vocabulary[][];
}
