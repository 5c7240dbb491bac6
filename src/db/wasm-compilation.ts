/**
 * How V8 compiles the client's query compiler. Prisma 7's query compiler is a WebAssembly module
 * (query_compiler_fast_bg.<provider>.wasm, about 3 MB) compiled when the client runs its first
 * query. By default V8 compiles it on several background threads, with Liftoff and then TurboFan,
 * and the malloc arenas of those threads keep their scratch memory: 35-45 MB of RSS for the rest of
 * the process (measured on the build: RSS after opening SQLite and one query 196-231 MB by
 * default, 159-163 MB with Liftoff alone).
 *
 * Liftoff alone is enough here: the compiler runs once per query shape and the client keeps the
 * plan (its `queryPlanCacheMaxSize`), so its code speed hardly counts; the hot statements skip it
 * altogether (src/db/raw.ts). The flag holds for the whole process, so any other WebAssembly
 * compiled later (undici's HTTP parser, behind `fetch`) is compiled by Liftoff too.
 *
 * V8 reads the flag when it compiles, so it must be set before the client's first query:
 * `openDatabase` sets it before it makes the client.
 */
import v8 from 'node:v8';

let set = false;

/** Makes V8 compile WebAssembly with its baseline compiler only (`--liftoff-only`); idempotent. */
export function compileWasmLean(): void {
  if (set) return;
  v8.setFlagsFromString('--liftoff-only');
  set = true;
}
