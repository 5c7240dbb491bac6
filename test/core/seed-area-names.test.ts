/**
 * The demo gazetteer (prisma/seed/areas.yaml) names every area in English, French and Arabic as
 * the console and the API read them (src/areas/names.ts: the common name for en and fr, the alias
 * in Arabic script for ar). An area without an Arabic alias would show its Latin name in the
 * Arabic console (issue 13: "Lakeland").
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { areaNameIn } from '../../src/areas/names.js';
import { readAreas } from '../../src/areas/gazetteer.js';

const areas = readAreas(join(import.meta.dirname, '..', '..', 'prisma', 'seed', 'areas.yaml'));

it('names each seeded area in en, fr and ar', () => {
  expect(areas.length).toBeGreaterThan(0);
  const unnamed: string[] = [];
  for (const area of areas) {
    const stored = { name: area.name, aliases: area.aliases.join(',') };
    for (const language of ['en', 'fr']) if (!/\p{Script=Latin}/u.test(areaNameIn(stored, language))) unnamed.push(`${area.id} ${language}`);
    if (!/\p{Script=Arabic}/u.test(areaNameIn(stored, 'ar'))) unnamed.push(`${area.id} ar`);
  }
  expect(unnamed).toEqual([]);
});
