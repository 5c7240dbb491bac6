/**
 * A local HTTP proxy between an SDK and a provider fake that holds requests, to stop a gateway
 * in the middle of provider calls. Each request is given a fate by `decide`:
 *   'forward'   passed on and answered at once;
 *   'swallow'   passed on to the fake (which acts on it), its answer held back forever: the
 *               provider did the work, the caller never learns it;
 *   'hold'      never passed on while the caller waits: the provider never sees it.
 * A held or swallowed request whose caller disconnects is dropped, never passed on later.
 *
 * ```ts
 * const proxy = await startDelayingProxy(fake.url, (_, n) => (n % 2 ? 'swallow' : 'hold'));
 * proxy.decide = () => 'forward';   // from now on a plain pass-through
 * ```
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProxyFate = 'forward' | 'swallow' | 'hold';

export interface DelayingProxy {
  url: string;
  /** Decides each request's fate; `n` counts requests from 0. Replaceable at any time. */
  decide: (request: IncomingMessage, n: number) => ProxyFate;
  /** How many requests got each fate so far. */
  counts: Record<ProxyFate, number>;
  /** Requests whose caller is still waiting on a held or swallowed answer. */
  pending(): number;
  close(): Promise<void>;
}

export async function startDelayingProxy(target: string, decide: DelayingProxy['decide']): Promise<DelayingProxy> {
  const counts: Record<ProxyFate, number> = { forward: 0, swallow: 0, hold: 0 };
  let seen = 0;
  let waiting = 0;
  const proxy: DelayingProxy = {
    url: '',
    decide,
    counts,
    pending: () => waiting,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const fate = proxy.decide(req, seen++);
      counts[fate] += 1;
      if (fate === 'hold') {
        waiting += 1;
        res.on('close', () => (waiting -= 1));
        return;
      }
      const upstream = httpRequest(target + (req.url ?? '/'), { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (answer) => {
        if (fate === 'swallow') {
          answer.resume();
          waiting += 1;
          res.on('close', () => (waiting -= 1));
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
