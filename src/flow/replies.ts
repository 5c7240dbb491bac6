/** What the engine says: messages as i18n keys the caller resolves in the contact's language. */

/** Values interpolated into a text ({{name}}). */
export type ReplyParams = Record<string, string | number>;

/** A message to send, as i18n keys the caller resolves in the contact's language. */
export type Reply =
  | { type: 'text'; key: string; params?: ReplyParams }
  | {
      type: 'choice';
      key: string;
      params?: ReplyParams;
      /** Options in the order they are numbered on SMS. */
      choices: { id: string; key: string; params?: ReplyParams }[];
      multiple: boolean;
      /** Tag of this question's sending, carried by its buttons (see FlowSession.asked). */
      ref?: string;
    };

/** Choice id of the "skip / don't know" option added to skippable questions. */
export const SKIP_CHOICE_ID = '_skip';
