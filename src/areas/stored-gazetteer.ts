/**
 * The flow engine's gazetteer kept equal to the Area table: a gazetteer loaded while the gateway
 * runs (`gateway seed --file`, another process) is matched against answers within one refresh
 * period, without a restart. The incidents' area tree follows the table the same way (its cache
 * lives 60 s: src/areas/tree.ts).
 */
import type { Db } from '../db/client.js';
import type { AreaIndex, AreaView } from '../flow/areas.js';
import { Sweeper } from '../jobs/sweeper.js';
import type { Logger } from '../logger.js';

/** The Area table's areas as the flow engine matches answers against them, in the table's order. */
export async function storedAreaViews(db: Db): Promise<AreaView[]> {
  const areas = await db.area.findMany();
  return areas.map((a) => ({
    id: a.id,
    name: a.name,
    aliases: a.aliases ? a.aliases.split(',') : [],
    level: a.level as AreaView['level'],
    parentId: a.parentId,
    latitude: a.latitude,
    longitude: a.longitude,
  }));
}

/**
 * Reads the Area table every `everyMs` (0: never) and gives `index` the areas when they changed,
 * logging the new count. A failed read is logged and tried again at the next period. Stop it on
 * shutdown.
 */
export function keepGazetteerFresh(db: Db, index: AreaIndex, logger: Logger, everyMs: number): Sweeper {
  const sweeper = new Sweeper(
    'gazetteer refresh',
    async () => {
      const views = await storedAreaViews(db);
      if (JSON.stringify(views) === JSON.stringify(index.areas)) return;
      index.replace(views);
      logger.info({ areas: views.length }, 'gazetteer reloaded from the Area table');
    },
    logger,
  );
  sweeper.every(everyMs);
  return sweeper;
}
