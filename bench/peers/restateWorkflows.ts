import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as restate from '@restatedev/restate-sdk';
import * as clients from '@restatedev/restate-sdk-clients';
import {
  measureWorkflows,
  WorkflowTimings,
  type TimingsHolder,
  type WorkflowBenchOptions,
  type WorkflowBenchResult,
} from '../scenarios/workflows.ts';
import { packageVersion, pollUntil } from './PeerRun.ts';

const HOST = '127.0.0.1';

// The SDK calls Promise.withResolvers (ES2024), which Node 22 has and Node 20 lacks; this is its specified
// behaviour, for this benchmark process only.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor) {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

/** The server binary that `@restatedev/restate-server` ships for this platform (its own launcher resolves it so). */
function serverBinary(): string {
  const require = createRequire(import.meta.url);
  return require.resolve(`@restatedev/restate-server-${os.platform()}-${os.arch()}/bin/restate-server`);
}

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function ok(url: string): Promise<boolean> {
  try {
    const response = await fetch(url);
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Restate: a single-node `restate-server` (from `@restatedev/restate-server`) started for the run, bound to and
 * advertising 127.0.0.1 only, on free ports, with telemetry off and its data in a temporary directory that is
 * removed afterwards. The workflow is a Restate workflow whose steps are `ctx.run` actions, served by an HTTP/2
 * endpoint in this process (so the steps note their times on the same clock) and registered with the admin API.
 * Each workflow is submitted through the ingress client under its own key and awaited with `workflowAttach`.
 */
export async function restateWorkflows(options: WorkflowBenchOptions): Promise<WorkflowBenchResult> {
  const holder: TimingsHolder = { timings: new WorkflowTimings(0) };
  const step = (i: number, index: number) => {
    holder.timings.step(i, index);
    return Promise.resolve(index + 1);
  };
  const threeSteps = restate.workflow({
    name: 'threeSteps',
    handlers: {
      run: async (ctx: restate.WorkflowContext, i: number) => {
        const one = await ctx.run('one', () => step(i, 0));
        const two = await ctx.run('two', () => step(i, 1));
        const three = await ctx.run('three', () => step(i, 2));
        return one + two + three;
      },
    },
  });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-restate-'));
  const [ingressPort, adminPort, nodePort] = [await freePort(), await freePort(), await freePort()];
  const log = fs.openSync(path.join(dir, 'server.log'), 'a');
  let server: ChildProcess | undefined;
  let endpoint: http2.Http2Server | undefined;
  const sessions = new Set<http2.ServerHttp2Session>();
  try {
    server = spawn(
      serverBinary(),
      [
        '--no-logo',
        '--listen-mode=tcp',
        `--bind-ip=${HOST}`,
        `--advertised-host=${HOST}`,
        `--base-dir=${path.join(dir, 'data')}`,
        '--node-name=bench',
        '--shutdown-timeout=10s',
      ],
      {
        stdio: ['ignore', log, log],
        env: {
          ...process.env,
          RESTATE_DISABLE_TELEMETRY: 'true',
          RESTATE_BIND_PORT: String(nodePort),
          RESTATE_INGRESS__BIND_PORT: String(ingressPort),
          RESTATE_ADMIN__BIND_PORT: String(adminPort),
          RESTATE_LOG_FILTER: 'warn',
        },
      },
    );
    const exited = new Promise<never>((_, reject) =>
      server!.once('exit', (code, signal) =>
        reject(new Error(`restate-server exited (${code ?? signal}); see its log`)),
      ),
    );
    exited.catch(() => {});
    const admin = `http://${HOST}:${adminPort}`;
    const ingressUrl = `http://${HOST}:${ingressPort}`;
    await Promise.race([
      pollUntil(
        async () => (await ok(`${admin}/health`)) && (await ok(`${ingressUrl}/restate/health`)),
        60_000,
        50,
      ),
      exited,
    ]);

    const handler = restate
      .endpoint()
      .bind(threeSteps)
      .setLogger((meta, message: unknown, ...rest: unknown[]) => {
        if ((meta.level as string) === 'error') console.error('[restate endpoint]', message, ...rest);
      })
      .http2Handler();
    endpoint = http2.createServer(handler);
    endpoint.on('session', (session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
    });
    const endpointPort = await new Promise<number>((resolve, reject) => {
      endpoint!.once('error', reject);
      endpoint!.listen(0, HOST, () => resolve((endpoint!.address() as net.AddressInfo).port));
    });
    const registered = await fetch(`${admin}/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uri: `http://${HOST}:${endpointPort}` }),
    });
    if (!registered.ok)
      throw new Error(`registering the endpoint: ${registered.status} ${await registered.text()}`);

    const ingress = clients.connect({ url: ingressUrl });
    return await measureWorkflows(
      'Restate',
      options,
      holder,
      async (id, i) => {
        const workflow = ingress.workflowClient<typeof threeSteps>({ name: 'threeSteps' }, id);
        await workflow.workflowSubmit(i);
        const sum = await workflow.workflowAttach();
        if (sum !== 6) throw new Error(`workflow ${id} returned ${sum}`);
      },
      `${execFileSync(serverBinary(), ['--version'], { encoding: 'utf8' }).trim()} (single node, default configuration, ` +
        `data in a temporary directory), @restatedev/restate-sdk ${packageVersion('@restatedev/restate-sdk')} ` +
        'HTTP/2 endpoint in this process; each workflow submitted and attached to through the ingress client ' +
        '(two HTTP requests); every ctx.run result is acknowledged by the server before the next step runs.',
    );
  } finally {
    // The server first: the endpoint's HTTP/2 sessions are the server's connections, and end with it.
    if (server !== undefined && server.exitCode === null && server.signalCode === null) {
      const gone = new Promise<void>((resolve) => server!.once('exit', () => resolve()));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server!.kill('SIGKILL'), 20_000);
      await gone;
      clearTimeout(timer);
    }
    for (const session of sessions) session.destroy();
    await new Promise<void>((resolve) => (endpoint ? endpoint.close(() => resolve()) : resolve()));
    fs.closeSync(log);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
