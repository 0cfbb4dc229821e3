import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Bus, Store } from '@parley/core';
import { deleteNatsStreams, dropSchemas, NATS_URL, POSTGRES_URL } from '../backends.ts';

/** The engines the scale-out scenario runs on. */
export type ScaleOutEngine = 'sqlite' | 'postgres' | 'postgres+nats';

/**
 * Where one run of the scale-out scenario keeps its data, in a form every process can open: a SQLite file, a
 * PostgreSQL schema (and, with NATS, a stream prefix).
 */
export interface SharedPlace {
  readonly engine: ScaleOutEngine;
  /** SQLite: the database file. */
  readonly file?: string;
  /** PostgreSQL: the schema. */
  readonly schema?: string;
  /** NATS: the prefix of the streams and KV buckets. */
  readonly prefix?: string;
}

const run = `${Date.now().toString(36)}_${process.pid}`;
let counter = 0;

/** A new, empty place for one run. */
export function newPlace(engine: ScaleOutEngine): SharedPlace {
  const id = `bench_scale_${run}_${++counter}`;
  if (engine === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-scale-'));
    return { engine, file: path.join(dir, 'bench.db') };
  }
  return engine === 'postgres'
    ? { engine, schema: id }
    : { engine, schema: id, prefix: id.replace(/_/g, '-') };
}

/** A store and a bus over the place; closing them leaves the data where it is. */
export async function openPlace(
  place: SharedPlace,
): Promise<{ store: Store; bus: Bus; close(): Promise<void> }> {
  const close = (store: Store, bus: Bus) => async () => {
    await store.close();
    await bus.close();
  };
  if (place.engine === 'sqlite') {
    const { createSqliteBus, createSqliteStore } = await import('@parley/sqlite');
    const url = `sqlite:${required(place.file, 'file')}`;
    const bus = createSqliteBus(url);
    const store = createSqliteStore(url, { bus });
    return { store, bus, close: close(store, bus) };
  }
  const { createPostgresBus, createPostgresStore } = await import('@parley/postgres');
  const schema = required(place.schema, 'schema');
  if (place.engine === 'postgres') {
    const bus = createPostgresBus({ connectionString: POSTGRES_URL, schema });
    const store = createPostgresStore({ connectionString: POSTGRES_URL, schema }, { bus });
    return { store, bus, close: close(store, bus) };
  }
  const { createNatsBus } = await import('@parley/nats');
  const bus = createNatsBus({ servers: NATS_URL, prefix: required(place.prefix, 'prefix') });
  const store = createPostgresStore({ connectionString: POSTGRES_URL, schema });
  return { store, bus, close: close(store, bus) };
}

/** Deletes what a run left: the SQLite file's directory, the schema, the NATS streams. */
export async function removePlace(place: SharedPlace): Promise<void> {
  if (place.file !== undefined) fs.rmSync(path.dirname(place.file), { recursive: true, force: true });
  if (place.schema !== undefined) await dropSchemas([place.schema]);
  if (place.prefix !== undefined) await deleteNatsStreams(place.prefix);
}

function required(value: string | undefined, what: string): string {
  if (value === undefined) throw new Error(`the place has no ${what}`);
  return value;
}
