/**
 * Real Redis topologies on loopback for a test, from Debian's binaries (redis-server, the
 * sentinel mode of redis-server from the redis-sentinel package, redis-cli): a master with a
 * replica watched by one sentinel, or a three-master cluster. Each server runs in a temporary
 * folder, without persistence, on free ports; `stop()` ends the processes and removes the folder.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../src/redis/embedded.js';

const BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server';

interface Started {
  process: ChildProcess;
  port: number;
}

async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch {
      // not up yet
    } finally {
      client.disconnect();
    }
    if (Date.now() > until) throw new Error(`redis on port ${port} did not answer in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startServer(dir: string, name: string, lines: string[], args: string[] = []): Promise<Started> {
  const port = await freePort();
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  const conf = join(folder, 'redis.conf');
  // No delay before a replica's first sync (Redis waits 5 s by default for more replicas).
  writeFileSync(conf, [`port ${port}`, 'bind 127.0.0.1', `dir ${folder}`, 'save ""', 'appendonly no', 'repl-diskless-sync-delay 0', ...lines].join('\n') + '\n');
  const child = spawn(BIN, [conf, ...args], { stdio: 'ignore' });
  await waitForPing(port);
  return { process: child, port };
}

async function stopAll(processes: Started[], dir: string): Promise<void> {
  await Promise.all(
    processes.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.process.exitCode !== null) return resolve();
          p.process.once('exit', () => resolve());
          p.process.kill('SIGKILL');
        }),
    ),
  );
  rmSync(dir, { recursive: true, force: true });
}

/** Resolves once the replica on `port` has synced with its master (link up). */
export async function waitForReplication(port: number, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  const client = new Redis({ port, host: '127.0.0.1' });
  try {
    while (!(await client.info('replication')).includes('master_link_status:up')) {
      if (Date.now() > until) throw new Error(`the replica on port ${port} did not sync in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    client.disconnect();
  }
}

export interface SentinelSetup {
  /** The sentinel's address for REDIS_SENTINELS. */
  sentinels: string;
  name: string;
  masterPort: number;
  replicaPort: number;
  /** The port of the master as the sentinel reports it now. */
  currentMasterPort(): Promise<number>;
  stop(): Promise<void>;
}

/** A master, its replica, and one sentinel (quorum 1) watching them as `gateway-master`. */
export async function startSentinelSetup(): Promise<SentinelSetup> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-sentinel-'));
  const started: Started[] = [];
  try {
    const master = await startServer(dir, 'master', []);
    started.push(master);
    const replica = await startServer(dir, 'replica', [`replicaof 127.0.0.1 ${master.port}`]);
    started.push(replica);
    await waitForReplication(replica.port);
    const name = 'gateway-master';
    const sentinel = await startServer(
      dir,
      'sentinel',
      // A long down-after: on a loaded machine a slow answer must not start failovers of its own
      // (the test asks for one with SENTINEL FAILOVER, which does not wait for it).
      [`sentinel monitor ${name} 127.0.0.1 ${master.port} 1`, `sentinel down-after-milliseconds ${name} 30000`, `sentinel failover-timeout ${name} 5000`],
      ['--sentinel'],
    );
    started.push(sentinel);
    const sentinelClient = () => new Redis({ port: sentinel.port, host: '127.0.0.1' });
    const currentMasterPort = async () => {
      const client = sentinelClient();
      try {
        const [, port] = (await client.call('SENTINEL', 'get-master-addr-by-name', name)) as [string, string];
        return Number(port);
      } finally {
        client.disconnect();
      }
    };
    return {
      sentinels: `127.0.0.1:${sentinel.port}`,
      name,
      masterPort: master.port,
      replicaPort: replica.port,
      currentMasterPort,
      stop: () => stopAll(started, dir),
    };
  } catch (error) {
    await stopAll(started, dir);
    throw error;
  }
}

export interface ClusterSetup {
  /** The nodes' addresses for REDIS_CLUSTER_NODES. */
  nodes: string;
  ports: number[];
  stop(): Promise<void>;
}

/** Three masters on loopback joined by `redis-cli --cluster create`, all 16384 slots covered. */
export async function startClusterSetup(): Promise<ClusterSetup> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-cluster-'));
  const started: Started[] = [];
  try {
    for (const name of ['a', 'b', 'c']) {
      started.push(await startServer(dir, name, ['cluster-enabled yes', 'cluster-config-file nodes.conf', 'cluster-node-timeout 2000']));
    }
    const addresses = started.map((s) => `127.0.0.1:${s.port}`);
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-yes'], { encoding: 'utf8', timeout: 30_000 });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    // Every node must see the cluster whole before clients use it.
    const until = Date.now() + 20_000;
    for (const s of started) {
      for (;;) {
        const client = new Redis({ port: s.port, host: '127.0.0.1' });
        const info = String(await client.call('CLUSTER', 'INFO'));
        client.disconnect();
        if (info.includes('cluster_state:ok')) break;
        if (Date.now() > until) throw new Error(`cluster node ${s.port} not ok: ${info}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return { nodes: addresses.join(','), ports: started.map((s) => s.port), stop: () => stopAll(started, dir) };
  } catch (error) {
    await stopAll(started, dir);
    throw error;
  }
}
