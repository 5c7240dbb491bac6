/**
 * The SQL that takes a database from one Prisma schema to another, offline, for
 * scripts/db-generate.ts: `schemaDiffSql(fromFile | null, toFile)` returns the script (`null` =
 * from an empty database); the SQL dialect is the `provider` of the schemas' datasource.
 *
 * `prisma migrate diff` (Prisma 7) runs the native schema engine, which the CLI downloads on first
 * use and which cannot be downloaded on our offline machines. The same engine is published as
 * WebAssembly (@prisma/schema-engine-wasm, pinned in devDependencies) and is called here directly.
 * It wants a driver adapter, but a diff between two schema files never queries it; an in-memory
 * SQLite adapter is given (its provider does not choose the dialect: the schemas' does).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import * as engineModule from '@prisma/schema-engine-wasm/schema_engine_bg';

type SchemaEngine = Awaited<ReturnType<typeof engineModule.SchemaEngine.new>>;

let engine: Promise<SchemaEngine> | undefined;

/** Instantiates the WASM engine once (the package's own entry imports the .wasm as an ES module, which Node cannot). */
async function schemaEngine(): Promise<SchemaEngine> {
  engine ??= (async () => {
    const glue = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasmFile = join(dirname(glue), 'schema_engine_bg.wasm');
    const { instance } = await WebAssembly.instantiate(readFileSync(wasmFile), { './schema_engine_bg.js': engineModule as unknown as WebAssembly.ModuleImports });
    const exports = instance.exports as unknown as { __wbindgen_start(): void };
    engineModule.__wbg_set_wasm(exports);
    exports.__wbindgen_start();
    const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaBetterSqlite3({ url: 'file::memory:' }));
    return engineModule.SchemaEngine.new({ datamodels: undefined }, () => {}, adapter);
  })();
  return engine;
}

function schemaFile(path: string) {
  return { tag: 'schemaDatamodel' as const, files: [{ path, content: readFileSync(path, 'utf8') }] };
}

export async function schemaDiffSql(from: string | null, to: string): Promise<string> {
  const result = await (await schemaEngine()).diff({
    from: from === null ? { tag: 'empty' } : schemaFile(from),
    to: schemaFile(to),
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  return result.stdout ?? '';
}
