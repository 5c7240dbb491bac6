/** The Slack channel: adapter factory, its options and routes, and the providerId format of sent messages. */
export { createSlackAdapter, SLACK_EVENTS_PATH, SLACK_INTERACTIONS_PATH } from './adapter.js';
export { DEFAULT_API_URL, DEFAULT_RATE, type SlackMode, type SlackOptions } from './options.js';
export { formatMessageRef, parseMessageRef, threadTsOf, type SlackMessageRef } from './thread.js';
export { CHOICE_ACTION_PREFIX } from './outbound.js';
export { slackChannel } from './channel.js';
