// Test support: finds the local NATS server, hands out prefixes and removes what a test file made.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const SERVERS = NATS_URL.replace(/^nats:\/\//, '');

/**
 * Whether a NATS server with JetStream answers at {@link NATS_URL}. Outside CI an unreachable server skips the
 * integration tests with a notice; in CI (`CI` set) it fails them.
 */
export async function natsAvailable(): Promise<boolean> {
  try {
    const nc = await connect({ servers: SERVERS, timeout: 1000, maxReconnectAttempts: 0 });
    try {
      await jetstreamManager(nc);
    } finally {
      await nc.close();
    }
    return true;
  } catch (error) {
    if (process.env.CI)
      throw new Error(`NATS with JetStream is required in CI at ${NATS_URL}`, { cause: error });
    process.stderr.write(
      `\n[@parley/nats] NATS with JetStream is not reachable at ${NATS_URL}: skipping its integration tests ` +
        `(start it with: nats-server -js; set CI to make this a failure)\n`,
    );
    return false;
  }
}

/** A prefix no other test run uses. */
export function uniquePrefix(label: string): string {
  return `t-${label}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Deletes the streams and KV buckets of `prefix`. */
export async function removePrefix(prefix: string): Promise<void> {
  const nc = await connect({ servers: SERVERS, timeout: 2000, maxReconnectAttempts: 0 });
  try {
    const jsm = await jetstreamManager(nc);
    const names: string[] = [];
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(`${prefix}_`) || name.startsWith(`KV_${prefix}_`)) names.push(name);
    }
    await Promise.all(names.map((name) => jsm.streams.delete(name).catch(() => false)));
  } finally {
    await nc.close();
  }
}

export const NATS_SERVER_BINARY = '/usr/sbin/nats-server';

/**
 * A private nats-server (JetStream, its own store directory and port) that a test may stop and start again
 * without disturbing other test files that share the regular server.
 */
export class PrivateNatsServer {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static available(): boolean {
    return fs.existsSync(NATS_SERVER_BINARY);
  }

  static async start(): Promise<PrivateNatsServer> {
    const port = await freePort();
    const server = new PrivateNatsServer(port, fs.mkdtempSync(path.join(os.tmpdir(), 'parley-nats-server-')));
    await server.start();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Starts the server with the same arguments (and store directory) as before. */
  async start(): Promise<void> {
    const child = spawn(
      NATS_SERVER_BINARY,
      ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.dir],
      { stdio: 'ignore' },
    );
    this.child = child;
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const nc = await connect({
          servers: `127.0.0.1:${this.port}`,
          timeout: 500,
          maxReconnectAttempts: 0,
        });
        await jetstreamManager(nc);
        await nc.close();
        return;
      } catch (error) {
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error('private nats-server did not start', { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** Stops the server with SIGTERM (a clean shutdown, as a service manager does) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
