import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Bus, Store } from '@parley/core';

/** A fresh place to run one scenario, and how to get rid of it. */
export interface BenchBackend {
  readonly name: 'sqlite' | 'postgres' | 'postgres+nats';
  readonly store: Store;
  readonly bus: Bus;
  close(): Promise<void>;
}

export const POSTGRES_URL = process.env.PARLEY_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

const run = Date.now().toString(36);
let counter = 0;

/** Opens a backend in a new temporary file, schema or prefix. */
export async function openBackend(name: BenchBackend['name']): Promise<BenchBackend> {
  const id = `bench_${run}_${++counter}`;
  if (name === 'sqlite') {
    const { createSqliteBus, createSqliteStore } = await import('@parley/sqlite');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
    const url = `sqlite:${path.join(dir, 'bench.db')}`;
    const bus = createSqliteBus(url);
    const store = createSqliteStore(url, { bus });
    return {
      name,
      store,
      bus,
      close: async () => {
        await store.close();
        await bus.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const { createPostgresBus, createPostgresStore } = await import('@parley/postgres');
  if (name === 'postgres') {
    const bus = createPostgresBus({ connectionString: POSTGRES_URL, schema: id });
    const store = createPostgresStore({ connectionString: POSTGRES_URL, schema: id }, { bus });
    return { name, store, bus, close: () => closeAndDrop(store, bus, [id]) };
  }
  const { createNatsBus } = await import('@parley/nats');
  const prefix = id.replace(/_/g, '-');
  const bus = createNatsBus({ servers: NATS_URL, prefix });
  const store = createPostgresStore({ connectionString: POSTGRES_URL, schema: id });
  return {
    name,
    store,
    bus,
    close: async () => {
      await closeAndDrop(store, bus, [id]);
      await deleteNatsStreams(prefix);
    },
  };
}

/** Deletes the streams (topics, and KV buckets' streams) a bus with `prefix` created. */
export async function deleteNatsStreams(prefix: string): Promise<void> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: NATS_URL.replace(/^nats:\/\//, '') });
  try {
    const jsm = await jetstreamManager(nc);
    const names: string[] = [];
    for await (const name of jsm.streams.names())
      if (name.startsWith(`${prefix}_`) || name.startsWith(`KV_${prefix}_`)) names.push(name);
    for (const name of names) await jsm.streams.delete(name);
  } finally {
    await nc.close();
  }
}

async function closeAndDrop(store: Store, bus: Bus, schemas: string[]): Promise<void> {
  await store.close();
  await bus.close();
  await dropSchemas(schemas);
}

/** Drops PostgreSQL schemas a run created, with everything in them. */
export async function dropSchemas(schemas: ReadonlyArray<string>): Promise<void> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
