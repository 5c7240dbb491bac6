/**
 * Builds the staff console: bundles console/main.tsx (Preact, i18next, Leaflet, uPlot and the
 * console's locale files) with esbuild into dist/console/assets/ under content-hashed names,
 * copies console/icon.svg beside them, writes dist/console/index.html pointing at them, and pre-compresses every file as .br and .gz
 * (the gateway serves the variant the browser accepts). Nothing is fetched at run time.
 *
 *   npx tsx scripts/build-console.ts [--out DIR]     (part of `npm run build`)
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { projectPath } from '../src/paths.js';

export interface ConsoleBuild {
  dir: string;
  /** Bytes of each built file as sent uncompressed and gzip-compressed, by path below dir. */
  files: Record<string, { bytes: number; gzip: number }>;
}

const page = (script: string, style: string, icon: string) => `<!doctype html>
<html lang="en" dir="ltr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gateway console</title><link rel="icon" href="/console/assets/${icon}" type="image/svg+xml"><link rel="stylesheet" href="/console/assets/${style}"></head>
<body><div id="app"><noscript>The console needs JavaScript.</noscript></div><script src="/console/assets/${script}" defer></script></body></html>
`;

export async function buildConsole(outDir = projectPath('dist', 'console')): Promise<ConsoleBuild> {
  rmSync(outDir, { recursive: true, force: true });
  const assets = join(outDir, 'assets');
  mkdirSync(assets, { recursive: true });
  const result = await build({
    entryPoints: { app: projectPath('console', 'main.tsx') },
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    outdir: assets,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    loader: { '.png': 'file', '.svg': 'file' },
    jsx: 'automatic',
    jsxImportSource: 'preact',
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((o) => basename(o));
  const script = outputs.find((o) => o.endsWith('.js'));
  const style = outputs.find((o) => o.endsWith('.css'));
  if (!script || !style) throw new Error(`the console build made no script or style sheet: ${outputs.join(', ')}`);
  // The page names its icon, so browsers do not ask for /favicon.ico (a 404 on every page).
  const iconBody = readFileSync(projectPath('console', 'icon.svg'));
  const icon = `icon-${createHash('sha256').update(iconBody).digest('hex').slice(0, 8)}.svg`;
  writeFileSync(join(assets, icon), iconBody);
  writeFileSync(join(outDir, 'index.html'), page(script, style, icon));

  const files: ConsoleBuild['files'] = {};
  const compress = (path: string) => {
    const body = readFileSync(path);
    const gzip = gzipSync(body, { level: 9 });
    writeFileSync(`${path}.gz`, gzip);
    writeFileSync(`${path}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    files[relative(outDir, path)] = { bytes: body.length, gzip: gzip.length };
  };
  compress(join(outDir, 'index.html'));
  // Images are compressed already; text files shrink to a third or less.
  for (const name of readdirSync(assets)) if (/\.(js|css|svg|json)$/.test(name)) compress(join(assets, name));
  return { dir: outDir, files };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--out');
  const built = await buildConsole(at > 0 ? process.argv[at + 1] : undefined);
  const total = Object.values(built.files).reduce((sum, f) => sum + f.gzip, 0);
  console.log(`console built in ${built.dir}: ${Object.keys(built.files).length} files, ${(total / 1024).toFixed(1)} KB gzip`);
}
