/**
 * The console's built files (written by `npm run build` into dist/console/, see
 * scripts/build-console.ts): index.html and, under assets/, the script, the style sheet and
 * their images, each also pre-compressed as .br and .gz. A request gets the smallest variant its
 * Accept-Encoding allows; hashed asset names are cached for a year, the page is revalidated.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

/** One file as it is sent: body, type, encoding (none when sent as is). */
export interface ServedFile {
  body: Buffer;
  type: string;
  encoding: 'br' | 'gzip' | null;
}

/** Encodings in order of preference, with the file suffix of their variant. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

/** Whether an Accept-Encoding header accepts `encoding` (a q=0 refuses it). */
export function accepts(header: string | undefined, encoding: string): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [name, ...params] = part.trim().split(';').map((p) => p.trim());
    if (name !== encoding && name !== '*') return false;
    const q = params.find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  });
}

export class ConsoleAssets {
  constructor(readonly dir: string) {}

  /** Whether the console has been built. */
  built(): boolean {
    return existsSync(join(this.dir, 'index.html'));
  }

  /**
   * The file at `relative` (e.g. `index.html`, `assets/app-X.js`), or null when there is none or
   * the path leaves the folder. Read at each request: the files are small and a rebuild shows at once.
   */
  file(relative: string, acceptEncoding: string | undefined): ServedFile | null {
    const path = normalize(join(this.dir, relative));
    if (!path.startsWith(this.dir + sep) || !existsSync(path) || !statSync(path).isFile()) return null;
    const type = TYPES[extname(path)] ?? 'application/octet-stream';
    for (const { name, suffix } of ENCODINGS) {
      if (accepts(acceptEncoding, name) && existsSync(path + suffix)) return { body: readFileSync(path + suffix), type, encoding: name };
    }
    return { body: readFileSync(path), type, encoding: null };
  }
}
