/** The console channel: try the flows from a terminal (`npm run chat`) without any provider. */
export { consoleChannel } from './channel.js';
export { CONSOLE_TOKEN_HEADER, createConsoleChannel, tokenMatches, type ConsoleAdapter } from './adapter.js';
export { Mailbox, type MailboxEntry } from './mailbox.js';
