import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { ConsoleEnv } from './ConsoleEnv.ts';

/** A console listening for HTTP. */
export interface ServedConsole {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves a console over HTTP on `hostname` (127.0.0.1 unless told otherwise: put it behind a proxy with TLS to
 * reach it from elsewhere). Port 0 picks a free one.
 */
export function serveConsole(
  app: Hono<ConsoleEnv>,
  options: { port?: number; hostname?: string } = {},
): Promise<ServedConsole> {
  const hostname = options.hostname ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 4400, hostname }, (info: AddressInfo) => {
      const host = hostname.includes(':') ? `[${hostname}]` : hostname;
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done, fail) => {
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close((error) => (error === undefined ? done() : fail(error)));
          }),
      });
    });
    server.once('error', reject);
  });
}
