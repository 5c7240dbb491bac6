/** The database behind a client, for the raw SQL that differs between SQLite and PostgreSQL. */
export interface Dialect {
  provider: 'sqlite' | 'postgres';
  /** PostgreSQL schema (default public). */
  schema?: string;
}
