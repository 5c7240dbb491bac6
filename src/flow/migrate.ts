/**
 * Upgrading flow documents written for older versions of the format. Each migration takes a
 * document of version N and returns one of version N + 1; a document is upgraded step by step
 * up to FLOW_SCHEMA_VERSION before it is validated.
 */
import { FLOW_SCHEMA_VERSION } from './schema.js';

/** Turns a parsed document of version N into one of version N + 1. */
export type FlowMigration = (document: Record<string, unknown>) => Record<string, unknown>;

/**
 * The migrations, keyed by the version they upgrade from. Version 1 is the first format, so there
 * is none yet; a change to the format adds `1: (doc) => ({ ...doc, version: 2, ... })` here.
 */
export const FLOW_MIGRATIONS: Readonly<Record<number, FlowMigration>> = {};

/** Why a document could not be upgraded. `field` is the offending field. */
export class FlowMigrationError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'FlowMigrationError';
  }
}

/**
 * Upgrades a parsed flow document to `target` (default: the current version). Throws
 * FlowMigrationError when the version is missing, not a whole number, newer than this code reads,
 * or has no migration.
 */
export function upgradeFlowDocument(
  document: unknown,
  migrations: Readonly<Record<number, FlowMigration>> = FLOW_MIGRATIONS,
  target: number = FLOW_SCHEMA_VERSION,
): Record<string, unknown> {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new FlowMigrationError('a flow file holds one YAML mapping (version, id, steps...)', '');
  }
  let current = document as Record<string, unknown>;
  const version = current.version;
  if (version === undefined) throw new FlowMigrationError(`Required (the current version is ${target})`, 'version');
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new FlowMigrationError(`expected a whole number, got ${JSON.stringify(version)}`, 'version');
  }
  if (version > target) {
    throw new FlowMigrationError(`version ${version} is newer than this gateway reads (${target})`, 'version');
  }
  for (let from = version; from < target; from += 1) {
    const migration = migrations[from];
    if (!migration) throw new FlowMigrationError(`no migration from version ${from} to ${from + 1}`, 'version');
    current = migration(current);
    if (current.version !== from + 1) {
      throw new FlowMigrationError(`the migration from version ${from} did not produce version ${from + 1}`, 'version');
    }
  }
  return current;
}
