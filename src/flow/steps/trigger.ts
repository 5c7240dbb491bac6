/**
 * What starts a flow from a message: a case code (the case-status flow), or a keyword as the
 * first word, in the contact's language or in the one language that has it.
 */
import { parseCaseCode } from '../case-code.js';
import type { FlowCatalog } from '../catalog.js';
import { cut, foldedWords } from '../normalize.js';

/** Longest text kept from what follows a keyword ("RUMOUR they say the bridge is closed"). */
const MAX_KEYWORD_REST = 1000;

/** A flow a message starts. */
export interface Trigger {
  flowId: string;
  /** Start parameters: `caseCode`, or `text` (what followed the keyword) when there was any. */
  params: Record<string, string>;
  /** The language of the keyword, when only one language has it. */
  language: string | null;
}

/** What follows the first word of a message, without the punctuation after the keyword. */
function keywordRest(text: string): string {
  const match = /^\s*\S+/u.exec(text);
  if (match === null) return '';
  return cut(text.slice(match[0].length).replace(/^[\s\p{P}]+/u, '').trim(), MAX_KEYWORD_REST);
}

/**
 * The flow a message starts, or null. A keyword of the contact's language (`language`) wins;
 * otherwise a keyword counts when every language that has it starts the same flow.
 */
export function findTrigger(catalog: FlowCatalog, language: string, text: string): Trigger | null {
  const caseCode = parseCaseCode(text);
  if (caseCode !== null && catalog.caseCodeFlowId !== null) {
    return { flowId: catalog.caseCodeFlowId, params: { caseCode }, language: null };
  }
  const first = foldedWords(text.slice(0, 100))[0];
  if (first === undefined) return null;
  const rest = keywordRest(text);
  const params: Record<string, string> = rest === '' ? {} : { text: rest };
  const own = catalog.keywords.get(language)?.get(first);
  if (own !== undefined) return { flowId: own, params, language: null };
  const found: { language: string; flowId: string }[] = [];
  for (const [keywordLanguage, table] of catalog.keywords) {
    const flowId = table.get(first);
    if (flowId !== undefined) found.push({ language: keywordLanguage, flowId });
  }
  const flows = new Set(found.map((match) => match.flowId));
  if (flows.size !== 1) return null;
  const match = found[0] as { language: string; flowId: string };
  return { flowId: match.flowId, params, language: found.length === 1 ? match.language : null };
}
