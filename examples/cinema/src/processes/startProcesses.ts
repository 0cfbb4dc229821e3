import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IdleSource, IdleState } from '@parley/core';
import type { DemoPlan } from '../planDemo.ts';

/** A cinema service the demo can run in its own process. */
export type CinemaProcessName = 'show' | 'wallet';

/** The demo's service processes. */
export interface CinemaProcesses {
  /** Stand-ins that ask each process over IPC whether it is idle. */
  services: ReadonlyArray<IdleSource>;
  /** How many processes run each service (the wallet may run several instances). */
  instances(name: CinemaProcessName): number;
  /**
   * SIGKILLs one process of a service (instance `index`, from 0) and starts it again under the same instance id,
   * resolving once the new process has started its service.
   */
  killAndRestart(name: CinemaProcessName, index: number): Promise<void>;
  /** Stops every process gracefully (SIGTERM) and waits for them to exit. */
  stop(): Promise<void>;
}

// Compiled, the demo forks the compiled service process; run from source (tsx, vitest), the source one through tsx.
const fromSource = import.meta.url.endsWith('.ts');
const worker = fileURLToPath(new URL(`./serviceProcess.${fromSource ? 'ts' : 'js'}`, import.meta.url));
const workerExecArgv = fromSource ? ['--conditions=source', '--import', 'tsx'] : [];

/** Starts the show and `walletInstances` wallet processes over the given store and bus URLs. */
export async function startProcesses(
  plan: DemoPlan,
  where: { show: string; wallet: string; bus: string },
  walletInstances: number,
  orchestrated: boolean,
): Promise<CinemaProcesses> {
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cinema-config-'));
  const configPath = path.join(configDir, 'config.json');
  fs.writeFileSync(configPath, JSON.stringify(plan.config));
  const spawn = async (name: CinemaProcessName, instance: string): Promise<ChildProcess> => {
    const child = fork(
      worker,
      [
        name,
        configPath,
        name === 'show' ? where.show : where.wallet,
        where.bus,
        instance,
        orchestrated ? 'orchestrated' : 'choreographed',
      ],
      {
        execArgv: workerExecArgv,
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code, signal) =>
        reject(new Error(`${name} process exited early (${code ?? signal}): ${stderr}`)),
      );
    });
    return child;
  };
  const stopChild = async (child: ChildProcess, signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    // A process that does not finish a graceful stop in time is killed: the demo never hangs on its way out.
    const late = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(late);
  };
  const children: Record<CinemaProcessName, ChildProcess[]> = {
    show: [await spawn('show', 'show-1')],
    wallet: await Promise.all(
      Array.from({ length: walletInstances }, (_, i) => spawn('wallet', `wallet-${i + 1}`)),
    ),
  };
  const all = () => [...children.show, ...children.wallet];
  return {
    services: (['show', 'wallet'] as const).flatMap((name) =>
      children[name].map((_, i) => askProcess(`${name}-${i + 1}`, () => children[name][i]!)),
    ),
    instances: (name) => children[name].length,
    async killAndRestart(name, index) {
      const child = children[name][index];
      if (child === undefined) throw new RangeError(`no ${name} process ${index + 1}`);
      await stopChild(child, 'SIGKILL');
      children[name][index] = await spawn(name, `${name}-${index + 1}`);
    },
    async stop() {
      await Promise.all(all().map((child) => stopChild(child, 'SIGTERM')));
      fs.rmSync(configDir, { recursive: true, force: true });
    },
  };
}

const STOP_GRACE_MS = 15_000;

let idleQuestions = 0;

/** A stand-in for a service in a child process: asks it over IPC whether it is idle. */
function askProcess(name: string, child: () => ChildProcess): IdleSource {
  return {
    name,
    checkIdle: () => {
      const process = child();
      if (!process.connected) {
        return Promise.resolve({ idle: false, busy: ['process not running'], activity: 0 });
      }
      const id = ++idleQuestions;
      return new Promise<IdleState>((resolve) => {
        const onMessage = (message: { type?: string; id?: number; state?: IdleState }) => {
          if (message.type !== 'idle' || message.id !== id || message.state === undefined) return;
          done(message.state);
        };
        const onExit = () => done({ idle: false, busy: ['process exited'], activity: 0 });
        const done = (state: IdleState) => {
          process.off('message', onMessage);
          process.off('exit', onExit);
          resolve(state);
        };
        process.on('message', onMessage);
        process.once('exit', onExit);
        // A process killed a moment ago may have lost its channel: the callback takes the error instead of an
        // 'error' event nobody listens to.
        process.send({ type: 'checkIdle', id }, (error) => {
          if (error !== null) done({ idle: false, busy: ['process not reachable'], activity: 0 });
        });
      });
    },
  };
}
