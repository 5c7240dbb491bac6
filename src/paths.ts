/**
 * Where the gateway's shipped files are (prisma/ migrations and seed data, src/incidents/
 * policies.yaml): the folder that holds package.json, found upward from this file, so the same
 * paths hold when run from the TypeScript sources (tsx) and from the build in dist/.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PROJECT_ROOT = findRoot(import.meta.dirname);

/** A path inside the project, e.g. `projectPath('prisma', 'seed', 'areas.yaml')`. */
export function projectPath(...parts: string[]): string {
  return join(PROJECT_ROOT, ...parts);
}
