import type pg from 'pg';

/**
 * Checks a client out of `pool` with an 'error' listener for as long as it is out. pg-pool listens only to idle
 * clients; a checked-out client whose server goes away between two statements would otherwise emit an unhandled
 * 'error' and crash the process. The next statement on it fails instead, and the caller destroys it on release.
 */
export async function connectClient(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect();
  const ignore = (): void => {};
  client.on('error', ignore);
  const release = client.release.bind(client);
  client.release = (destroy?: Error | boolean) => {
    client.off('error', ignore);
    release(destroy);
  };
  return client;
}
