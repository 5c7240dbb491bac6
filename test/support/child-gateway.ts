/** Starts test/support/gateway-child.ts in a child process and waits for it to listen. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface ChildGateway {
  process: ChildProcess;
  url: string;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<number | string | null>;
  kill(signal?: NodeJS.Signals): void;
}

const script = join(import.meta.dirname, 'gateway-child.ts');

export async function startChildGateway(vars: Record<string, string>, options: { workers?: boolean } = {}): Promise<ChildGateway> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, GATEWAY_ENV: JSON.stringify(vars), GATEWAY_WORKERS: options.workers === false ? 'false' : 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child gateway did not start in 30 s:\n${output}`)), 30_000);
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
  return { process: child, url, exited, kill: (signal = 'SIGKILL') => void child.kill(signal) };
}
