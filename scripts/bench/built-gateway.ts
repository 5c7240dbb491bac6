/**
 * A gateway under a bench, started as production starts it: `node dist/src/cli.js start`
 * (`npm start`) on the build of this checkout, made once per bench run with `npm run build`.
 * BENCH_GATEWAY=tsx starts `node --import tsx src/cli.ts start` instead (the sources, as the tests
 * run them), to compare: tsx's loader and the sources it keeps cost about 50 MB of RSS (see
 * `npm run bench -- startup`).
 *
 * The role comes from GATEWAY_ROLE in `vars` (default `all`); the process is ready once its
 * `/readyz` answers 200, so a role without HTTP (`worker`) is not for this helper.
 */
import { execFileSync, spawn } from 'node:child_process';
import { freePort } from '../../src/redis/embedded.js';
import { handleOf, type ChildGateway } from '../../test/support/child-gateway.js';

let built = false;

/** What the gateway runs from: the build (default) or the sources through tsx. */
export function gatewayFrom(): 'build' | 'tsx' {
  return process.env.BENCH_GATEWAY === 'tsx' ? 'tsx' : 'build';
}

/**
 * Starts the gateway on the environment `vars` (PORT is chosen here), with `execArgv` given to
 * Node (a profiler's flags). Resolves once `/readyz` answers 200; rejects with the process's
 * output when it exits first or is not ready within `readyTimeoutMs` (default 120 s).
 */
export async function startBuiltGateway(vars: Record<string, string>, options: { execArgv?: string[]; readyTimeoutMs?: number } = {}): Promise<ChildGateway> {
  const from = gatewayFrom();
  if (from === 'build' && !built) {
    execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
    built = true;
  }
  const port = await freePort();
  const entry = from === 'build' ? ['dist/src/cli.js', 'start'] : ['--import', 'tsx', 'src/cli.ts', 'start'];
  const child = spawn(process.execPath, [...(options.execArgv ?? []), ...entry], {
    env: { ...process.env, ...vars, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the gateway exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the gateway was not ready in time:\n${output}`);
    }
    if (await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return handleOf(child, url, exited);
}
