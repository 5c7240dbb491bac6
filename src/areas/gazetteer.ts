/**
 * Seed data: the demo gazetteer (prisma/seed/areas.yaml). Loaded at start when the Area table is
 * empty, and by `gateway seed`. Upserts, so running it twice changes nothing.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import type { Db } from '../db/client.js';

const areaSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().min(1),
  aliases: z.array(z.string()).default([]),
  level: z.enum(['nation', 'region', 'locality']),
  parent: z.string().optional(),
  timezone: z.string().default('UTC'),
  latitude: z.number().optional(),
  longitude: z.number().optional(),
});
export type SeedArea = z.infer<typeof areaSchema>;

export function readAreas(file: string): SeedArea[] {
  const parsed = z.array(areaSchema).safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: entry ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** Upserts areas, parents before children. */
export async function seedAreas(db: Db, areas: SeedArea[]): Promise<number> {
  const order = { nation: 0, region: 1, locality: 2 } as const;
  for (const area of [...areas].sort((a, b) => order[a.level] - order[b.level])) {
    const data = {
      name: area.name,
      aliases: area.aliases.join(','),
      level: area.level,
      parentId: area.parent ?? null,
      timezone: area.timezone,
      latitude: area.latitude ?? null,
      longitude: area.longitude ?? null,
    };
    await db.area.upsert({ where: { id: area.id }, create: { id: area.id, ...data }, update: data });
  }
  return areas.length;
}
