/**
 * Rosters as CSV, for responder lists kept in a spreadsheet: one responder per row, with a header
 * row naming the columns (any order):
 *   id, name, language, committees (ids separated by ;), preferred_channel,
 *   sms, telegram, slack, console (one address each; at least one)
 * Committees themselves are described in YAML, the admin API or the CLI: a CSV row names existing
 * ones. Problems name the line of the file.
 */
import { parse } from 'csv-parse/sync';
import { parseRoster, RosterError, type Roster } from './roster-model.js';

const CHANNEL_COLUMNS = ['sms', 'telegram', 'slack', 'console'] as const;
const KNOWN = new Set(['id', 'name', 'language', 'committees', 'preferred_channel', ...CHANNEL_COLUMNS]);

export function rosterFromCsv(text: string, source = 'roster.csv'): Roster {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    throw new RosterError([`${source}: ${(error as Error).message}`]);
  }
  const unknown = rows.length > 0 ? Object.keys(rows[0]!).filter((c) => !KNOWN.has(c)) : [];
  if (unknown.length > 0) throw new RosterError([`${source}: unknown column(s) ${unknown.join(', ')}; accepted: ${[...KNOWN].join(', ')}`]);
  const responders = rows.map((row) => ({
    id: row.id,
    name: row.name,
    ...(row.language ? { language: row.language } : {}),
    ...(row.preferred_channel ? { preferredChannel: row.preferred_channel } : {}),
    identities: CHANNEL_COLUMNS.filter((channel) => row[channel]).map((channel) => ({ channel, address: row[channel]! })),
    committees: (row.committees ?? '').split(';').map((c) => c.trim()).filter(Boolean),
  }));
  try {
    return parseRoster({ responders }, source);
  } catch (error) {
    if (!(error instanceof RosterError)) throw error;
    // responders.N.field -> line N+2 (the header is line 1)
    throw new RosterError(error.problems.map((p) => p.replace(/responders\.(\d+)\./, (_m, n: string) => `line ${Number(n) + 2}: `)));
  }
}
