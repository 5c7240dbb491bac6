/**
 * Benchmark runner: `npm run bench` runs every benchmark, `npm run bench -- <name>` one of them.
 * A benchmark is scripts/bench/<name>.ts exporting `run(): Promise<Record<string, unknown>>`.
 * Figures are ratios against a baseline measured in the same run (machines are noisy); each
 * benchmark's last printed line is one JSON object with its figures.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, basename } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(join(here, 'bench'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => basename(f, '.ts'))
  .sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : available;
for (const name of names) {
  if (!available.includes(name)) {
    console.error(`unknown benchmark "${name}"; available: ${available.join(', ')}`);
    process.exit(2);
  }
}
for (const name of names) {
  const module = (await import(join(here, 'bench', `${name}.ts`))) as { run: () => Promise<Record<string, unknown>> };
  const figures = await module.run();
  console.log(JSON.stringify({ bench: name, ...figures }));
}
process.exit(0);
