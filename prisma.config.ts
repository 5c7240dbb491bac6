// Prisma CLI configuration. Only `prisma generate` and `prisma migrate diff` between two schema
// files run (scripts/db-generate.ts), so no datasource is configured and nothing is downloaded.
// Migrations are SQL files per provider written by that script and applied by the gateway at
// start (src/db/migrate.ts); `prisma migrate deploy/dev` are not used.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
});
