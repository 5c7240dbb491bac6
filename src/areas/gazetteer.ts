/**
 * The gazetteer file (prisma/seed/areas.yaml, or one given to `gateway seed --file`): the one
 * reader and schema of it, the areas as the flow engine sees them, and the seed of the Area
 * table. The demo gazetteer is loaded at start when the Area table is empty, and by
 * `gateway seed`. Upserts, so seeding twice changes nothing.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import type { AreaView } from '../flow/areas.js';

/** One entry of the gazetteer file. */
export const gazetteerAreaSchema = z.object({
  /** Stable, human-readable id (lower-case letters, digits and hyphens). */
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().min(1),
  /** Other names people use, any language or script. */
  aliases: z.array(z.string()).default([]),
  level: z.enum(['nation', 'region', 'locality']),
  /** Id of the enclosing area. */
  parent: z.string().optional(),
  /** IANA time zone. */
  timezone: z.string().default('UTC'),
  /** Degrees (WGS 84). */
  latitude: z.number().optional(),
  longitude: z.number().optional(),
});
export type GazetteerArea = z.infer<typeof gazetteerAreaSchema>;

/** Reads and checks a gazetteer file (a YAML list of areas). Throws an Error naming the file and the entry at fault. */
export function readAreas(file: string): GazetteerArea[] {
  const parsed = z.array(gazetteerAreaSchema).safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: entry ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** The areas as the flow engine matches answers against them. */
export function areaViews(areas: readonly GazetteerArea[]): AreaView[] {
  return areas.map((area) => ({
    id: area.id,
    name: area.name,
    aliases: area.aliases,
    level: area.level,
    parentId: area.parent ?? null,
    latitude: area.latitude ?? null,
    longitude: area.longitude ?? null,
  }));
}

/** Upserts areas, parents before children. Returns how many were written. */
export async function seedAreas(db: Db, areas: GazetteerArea[]): Promise<number> {
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
