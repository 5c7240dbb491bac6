/**
 * The inbound middleware of the incidents capability (after consent and language, before the
 * session and flows):
 *   1. responder commands and buttons (ACK, RESOLVED, NOTE, ASK, VERIFY, REASSIGN, LINK; a bare
 *      number answers the numbered buttons of the responder's last notification on SMS);
 *   2. LIST from a responder: the open incidents of their committees (responder-views.ts);
 *   3. a message that starts with a case code and goes on with an answer, from someone asked a
 *      question about that case: the answer is relayed (relay.ts), in a conversation or not;
 *   4. a bare case code from a responder on the incident's rosters, outside a conversation: the
 *      responder's view of the incident (anyone else gets the status from the case flow);
 *   5. any other text from someone a question waits for: a reminder, once per question, of how to
 *      answer; the message still goes on to the flows.
 * A message it handles stops here; anything else goes on to the flows. A command word followed
 * by a case code from someone who is not a responder is refused, so nobody learns whether the
 * code exists. (HELP from a responder is answered through the capability's `help`.)
 */
import { rawQuery } from '../db/raw.js';
import { inboundText } from '../messages.js';
import type { Middleware } from '../inbound/pipeline/context.js';
import * as actions from './actions.js';
import type { ActingParty, ActionScope, Outcome } from './actions.js';
import { isListCommand, numberedChoice, parseCommand, type Command } from './commands.js';
import type { IncidentDeps } from './deps.js';
import { outcomeText } from './notify.js';
import { OPEN_QUESTION_NOT_REMINDED, answerHint, answerRelay, codePrefixed, inConversation } from './relay.js';
import { listForResponder, viewForResponder } from './responder-views.js';

/**
 * What the contact is to this capability, in one statement (src/db/raw.ts), read on every
 * message: the id of its responder row (null when none), and the latest open question put to it
 * as a reporter and not reminded of yet (null when none): (contactId, contactId, now).
 */
const CONTACT_STANDING = `SELECT (SELECT "id" FROM {Responder} WHERE "contactId" = ?) AS "responderId", q."id" AS "relayId", q."incidentId"
  FROM (SELECT 1 AS "one") o LEFT JOIN (${OPEN_QUESTION_NOT_REMINDED}) q ON 1 = 1`;

export function incidentsMiddleware(deps: IncidentDeps): Middleware {
  return async (ctx, next) => {
    const scope: ActionScope = { tx: ctx.tx, deps, after: ctx.afterCommit, now: deps.now() };
    const say = (key: string, params: Record<string, string | number> = {}) => ctx.outbox.push({ message: { type: 'text', text: outcomeText(deps.translator, ctx.language, { key, params }) } });

    let command = parseCommand(ctx.input);
    // Most messages are not a responder's: a raw look first, the whole row only for one.
    const [standing] = await rawQuery<{ responderId: string | null; relayId: string | null; incidentId: string | null }>(
      ctx.tx,
      ctx.dialect,
      CONTACT_STANDING,
      ctx.contactId,
      ctx.contactId,
      scope.now,
    );
    const responder = standing?.responderId ? await ctx.tx.responder.findUnique({ where: { contactId: ctx.contactId } }) : null;
    const isResponder = responder !== null && responder.active;

    if (isResponder && !command) {
      const number = numberedChoice(ctx.input);
      if (number !== null && (number === 1 || number === 2) && !(await inConversation(ctx.tx, ctx.contactId, scope.now))) {
        const last = await ctx.tx.incidentNotification.findFirst({ where: { responderId: responder.id, channel: { not: null } }, orderBy: { createdAt: 'desc' } });
        const incident = last ? await ctx.tx.incident.findUnique({ where: { id: last.incidentId }, select: { caseCode: true } }) : null;
        if (incident) command = { name: number === 1 ? 'ack' : 'resolve', code: incident.caseCode, rest: '', button: true };
      }
    }

    if (command) {
      if (!isResponder) {
        // Only a well-formed code makes this a command attempt; anything else may be a flow answer.
        if (command.button || /^R[\s\-_.]*[A-Z0-9]{6}$/i.test(command.code)) {
          say('reply.not_a_responder');
          return;
        }
        await next();
        return;
      }
      const actor: ActingParty = { ref: `responder:${responder.id}`, name: responder.displayName, responderId: responder.id, channel: ctx.channel };
      const outcome = await run(scope, command, actor);
      say(outcome.key, outcome.params);
      return;
    }

    if (isResponder && isListCommand(ctx.input)) {
      ctx.outbox.push({ message: await listForResponder(scope, responder, ctx.language) });
      return;
    }

    const prefixed = ctx.input.type === 'text' ? codePrefixed(inboundText(ctx.input)) : null;
    if (prefixed?.rest) {
      const busy = await inConversation(ctx.tx, ctx.contactId, scope.now);
      const reply = await answerRelay(scope, ctx.contactId, prefixed.code, prefixed.rest, { channel: ctx.channel, inConversation: busy });
      if (reply) {
        say(reply.key, reply.params);
        return;
      }
    } else if (prefixed && isResponder && !(await inConversation(ctx.tx, ctx.contactId, scope.now))) {
      const incident = await ctx.tx.incident.findUnique({ where: { caseCode: prefixed.code } });
      const view = incident ? await viewForResponder(scope, responder, incident, ctx.language, ctx.channel) : null;
      if (view) {
        ctx.outbox.push({ message: view });
        return;
      }
    } else if (!prefixed && ctx.input.type === 'text') {
      // Not an answer; if a question waits, say once how to answer. The message goes on to the flows.
      const open = standing?.relayId && standing.incidentId ? { id: standing.relayId, incidentId: standing.incidentId } : null;
      const hint = await answerHint(scope, open);
      if (hint) say(hint.key, hint.params);
    }
    await next();
  };
}

/** Runs one command for an actor; the outcome is the reply. */
export async function run(scope: ActionScope, command: Command, actor: ActingParty): Promise<Outcome> {
  if (!command.code) return { ok: false, key: `usage.${command.name}`, params: {}, status: 400 };
  const found = await actions.findIncident(scope.tx, command.code);
  if ('outcome' in found) return found.outcome;
  const incident = found.incident;
  switch (command.name) {
    case 'ack':
      return actions.acknowledge(scope, incident, actor);
    case 'resolve':
      return actions.resolve(scope, incident, actor, command.rest);
    case 'note':
      return actions.addNote(scope, incident, actor, command.rest);
    case 'ask':
      return actions.ask(scope, incident, actor, command.rest);
    case 'verify': {
      const [word = '', ...note] = command.rest.split(/\s+/);
      const value = actions.parseVerification(word);
      if (!value) return { ok: false, key: 'usage.verify', params: { code: incident.caseCode }, status: 400 };
      return actions.verify(scope, incident, actor, value, note.join(' '));
    }
    case 'reassign': {
      const committee = command.rest.split(/\s+/)[0] ?? '';
      if (!committee) return { ok: false, key: 'usage.reassign', params: { code: incident.caseCode }, status: 400 };
      return actions.reassign(scope, incident, actor, committee);
    }
    case 'link': {
      const other = await actions.findIncident(scope.tx, command.rest);
      if ('outcome' in other) return other.outcome;
      return actions.link(scope, incident, actor, other.incident);
    }
  }
}
