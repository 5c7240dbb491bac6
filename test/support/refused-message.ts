/**
 * The database refusing to store one inbound message, with an error that is not a repeated key
 * (as a full disk or a failing constraint would): a trigger on the real database (SQLite or
 * PostgreSQL) raises on every insert of a message with the given provider id, until lifted.
 */
import type { TestGateway } from './gateway.js';

export interface RefusedMessage {
  /** Lets the database store the message again. */
  lift(): Promise<void>;
}

let count = 0;

/** Makes every insert of a message whose provider id is `providerId` fail; quote-free ids only. */
export async function refuseMessage(gateway: Pick<TestGateway, 'db' | 'database'>, providerId: string): Promise<RefusedMessage> {
  if (!/^[\w-]+$/.test(providerId)) throw new Error(`refuseMessage takes letters, digits, _ and - only, not "${providerId}"`);
  const name = `refuse_message_${++count}`;
  const { db } = gateway;
  if (gateway.database.provider === 'postgres') {
    await db.$executeRawUnsafe(
      `CREATE FUNCTION ${name}() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'the test refuses this message'; END $$ LANGUAGE plpgsql`,
    );
    await db.$executeRawUnsafe(`CREATE TRIGGER ${name} BEFORE INSERT ON "Message" FOR EACH ROW WHEN (NEW."providerId" = '${providerId}') EXECUTE FUNCTION ${name}()`);
    return {
      lift: async () => {
        await db.$executeRawUnsafe(`DROP TRIGGER ${name} ON "Message"`);
        await db.$executeRawUnsafe(`DROP FUNCTION ${name}()`);
      },
    };
  }
  await db.$executeRawUnsafe(
    `CREATE TRIGGER ${name} BEFORE INSERT ON "Message" WHEN NEW."providerId" = '${providerId}' BEGIN SELECT RAISE(ABORT, 'the test refuses this message'); END`,
  );
  return { lift: async () => void (await db.$executeRawUnsafe(`DROP TRIGGER ${name}`)) };
}
