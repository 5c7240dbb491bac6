/** The database behind a client, for the raw SQL that differs between SQLite and PostgreSQL. */
export interface Dialect {
  provider: 'sqlite' | 'postgres';
  /** PostgreSQL schema (default public). */
  schema?: string;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A column or table name quoted for raw SQL (both databases take double quotes). */
export function quoteName(name: string): string {
  return quote(name);
}

/** A table's name as raw SQL (schema-qualified on PostgreSQL). */
export function tableName(dialect: Dialect, name: string): string {
  return dialect.provider === 'postgres' ? `${quote(dialect.schema ?? 'public')}.${quote(name)}` : quote(name);
}

/**
 * A value as the client writes it, for raw SQL: a Date becomes UTC ISO text with `+00:00` on
 * SQLite (as the better-sqlite3 adapter writes it) and UTC ISO text on PostgreSQL (read into a
 * `timestamp(3)` as UTC wall time); other values pass unchanged.
 */
export function writtenAs<V>(dialect: Dialect, value: V): Exclude<V, Date> | string {
  if (!(value instanceof Date)) return value as Exclude<V, Date>;
  return dialect.provider === 'sqlite' ? value.toISOString().replace('Z', '+00:00') : value.toISOString();
}
