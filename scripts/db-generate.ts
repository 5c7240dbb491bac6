/**
 * Derives everything the two database providers need from the one schema, prisma/schema.prisma:
 *   - prisma/postgres/schema.prisma (same models, PostgreSQL provider),
 *   - the typed clients in src/db/generated/{sqlite,postgres} (gitignored; also run at install),
 *   - with `--migration <name>`: a new SQL migration per provider in prisma/migrations/<provider>/,
 *     the difference between the schema as of the last migration (schema.snapshot.prisma beside
 *     them) and the schema now. The gateway applies these at start (src/db/migrate.ts).
 *
 *   npm run db:generate                      clients only
 *   npm run db:generate -- --migration add_incidents
 *
 * Everything runs offline and needs no database: `prisma generate` for the clients, Prisma's
 * schema engine in WebAssembly for the migrations (scripts/schema-diff.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const prismaBin = join(root, 'node_modules', '.bin', 'prisma');
const source = join(root, 'prisma', 'schema.prisma');
const providers = [
  { name: 'sqlite', schema: source },
  { name: 'postgres', schema: join(root, 'prisma', 'postgres', 'schema.prisma') },
] as const;

function postgresSchema(text: string): string {
  return [
    '// GENERATED from prisma/schema.prisma by scripts/db-generate.ts. Do not edit.',
    text
      .replace('provider = "sqlite"', 'provider = "postgresql"')
      .replace('"../src/db/generated/sqlite"', '"../../src/db/generated/postgres"'),
  ].join('\n');
}

/**
 * The CLI looks for its native schema engine before any command and downloads it when missing,
 * which fails offline. `prisma generate` never runs it, so any existing file satisfies the
 * look-up (a path set by the caller is kept). Migrations are diffed without the CLI
 * (scripts/schema-diff.ts).
 */
const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath };

function prisma(args: string[]): string {
  return execFileSync(prismaBin, args, { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const text = readFileSync(source, 'utf8');
mkdirSync(join(root, 'prisma', 'postgres'), { recursive: true });
writeFileSync(providers[1].schema, postgresSchema(text));
for (const provider of providers) prisma(['generate', '--schema', provider.schema]);
console.log('generated clients: src/db/generated/sqlite, src/db/generated/postgres');

const flag = process.argv.indexOf('--migration');
if (flag !== -1) {
  const name = process.argv[flag + 1];
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    console.error('usage: npm run db:generate -- --migration <name> (lower case, digits, _)');
    process.exit(2);
  }
  // Loaded only here: the WASM engine is a devDependency, and the postinstall needs only the clients.
  const { schemaDiffSql } = await import('./schema-diff.js');
  for (const provider of providers) {
    const dir = join(root, 'prisma', 'migrations', provider.name);
    mkdirSync(dir, { recursive: true });
    const snapshot = join(dir, 'schema.snapshot.prisma');
    const sql = await schemaDiffSql(existsSync(snapshot) ? snapshot : null, provider.schema);
    if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
      console.log(`${provider.name}: schema unchanged, no migration written`);
      continue;
    }
    const next = readdirSync(dir).filter((f) => /^\d{4}_.*\.sql$/.test(f)).length + 1;
    const file = join(dir, `${String(next).padStart(4, '0')}_${name}.sql`);
    writeFileSync(file, sql);
    writeFileSync(snapshot, readFileSync(provider.schema, 'utf8'));
    console.log(`${provider.name}: wrote ${file}`);
  }
}
