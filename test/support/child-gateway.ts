/**
 * Starts test/support/gateway-child.ts in a child process and waits for it to listen, for tests
 * that kill or signal a gateway (SIGKILL mid-job, SIGTERM for a graceful stop).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ChildGatewaySpec } from './gateway-child.js';

export interface ChildGateway {
  process: ChildProcess;
  url: string;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<number | string | null>;
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM (a graceful stop); resolves with the exit code once the process has ended. */
  stop(): Promise<number | string | null>;
}

export interface ChildGatewayOptions extends ChildGatewaySpec {
  /** How long the child may take to print `ready`, in ms (default 30 s). */
  readyTimeoutMs?: number;
  /** Extra Node flags for the child (e.g. `--cpu-prof`). */
  execArgv?: string[];
}

const script = join(import.meta.dirname, 'gateway-child.ts');

/**
 * Starts a gateway on the environment `vars` in its own process. By default it runs the workers
 * and the default capabilities; `options` choose otherwise (see ChildGatewaySpec). Rejects with
 * the child's output when it exits or does not print `ready` in time.
 */
export async function startChildGateway(vars: Record<string, string>, options: ChildGatewayOptions = {}): Promise<ChildGateway> {
  const { readyTimeoutMs = 30_000, execArgv = [], ...spec } = options;
  const child = spawn(process.execPath, [...execArgv, '--import', 'tsx', script], {
    env: { ...process.env, GATEWAY_ENV: JSON.stringify(vars), GATEWAY_SPEC: JSON.stringify(spec) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child gateway did not start in ${readyTimeoutMs} ms:\n${output}`)), readyTimeoutMs);
    child.stdout!.on('data', (data: Buffer) => {
      output += data.toString();
      const match = /ready (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.stderr!.on('data', (data: Buffer) => (output += data.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`child gateway exited (${code}) before it was ready:\n${output}`));
    });
  });
  return handleOf(child, url, exited);
}

/** The handle of a gateway process listening at `url`; `exited` resolves with its exit code or signal. */
export function handleOf(child: ChildProcess, url: string, exited: Promise<number | string | null>): ChildGateway {
  return {
    process: child,
    url,
    exited,
    kill: (signal = 'SIGKILL') => void child.kill(signal),
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
