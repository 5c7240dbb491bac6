/**
 * The console's text key for an audit action: `auditAction.<action with every dot an underscore>`
 * (responder.created -> auditAction.responder_created; broadcast.feedback.read ->
 * auditAction.broadcast_feedback_read), one flat key however many parts the action has.
 */
export const auditActionKey = (action: string): string => `auditAction.${action.replace(/\./g, '_')}`;
