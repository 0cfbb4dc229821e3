import { ensureErrorMessage } from './ensureErrorMessage.ts';
import { useIdRandomness, whenAllIdle, type IdleSource, type IdleState, type Service } from '@parley/core';
import type { Connection } from '../conformance/ConformanceTarget.ts';
import { recordingLogger, type RecordingLogger } from '../logging/recordingLogger.ts';
import { createMemoryBackend, type MemoryBackend } from '../memory/createMemoryBackend.ts';
import { FaultInjector } from './faults/FaultInjector.ts';
import type { ScheduledFault } from './faults/FaultSchedule.ts';
import {
  faultyBus,
  faultyStore,
  SimulatedConnectionError,
  type FaultWorld,
  type PortOwner,
} from './faultyPorts.ts';
import { settleMicrotasks } from './runInVirtualTime.ts';
import { SeededRandom } from './SeededRandom.ts';
import type { ServiceFactory, SimulateOptions, SimulationWorld } from './SimulationOptions.ts';
import { Trace } from './Trace.ts';
import { VirtualClock, type ProcessClock } from './VirtualClock.ts';

/** One incarnation of a simulated process. */
class SimulatedProcess implements PortOwner {
  alive = true;
  service: Service | undefined;
  /** Called when the process crashes. */
  readonly onCrash = new Set<() => void>();

  /** Resolves with `crashed` when this incarnation ends: a crash, or the end of a restart. */
  crashed(): Promise<'crashed'> {
    return new Promise((resolve) => {
      if (!this.alive) resolve('crashed');
      else this.onCrash.add(() => resolve('crashed'));
    });
  }

  constructor(
    readonly name: string,
    readonly faulty: boolean,
    readonly clock: ProcessClock,
  ) {}
}

/** What one run found, before any shrinking. */
export interface RunOutcome {
  readonly violations: string[];
  readonly injected: ScheduledFault[];
  readonly trace: Trace;
  readonly digest: string;
  readonly steps: number;
  readonly virtualMs: number;
  readonly messages: number;
  readonly invariantsChecked: number;
  readonly logs: RecordingLogger;
}

let running = false;
const BUS_READER = '\u0000bus';

/**
 * One simulated run of one seed: the services in virtual time on an in-memory backend, a seeded scheduler firing
 * one timer at a time, faults injected through each process's store and bus. Runs do not overlap in a process
 * (fresh ids are seeded process-wide).
 */
export async function runSeed(
  options: SimulateOptions,
  seed: number,
  replay: ReadonlyArray<ScheduledFault> | undefined,
): Promise<RunOutcome> {
  if (running)
    throw new Error('simulate: one simulation at a time in a process (ids are seeded process-wide)');
  running = true;
  const root = new SeededRandom(seed);
  const clock = new VirtualClock(root.fork());
  const interleaving = root.fork();
  const faultRandom = root.fork();
  const workloadRandom = root.fork();
  const idRandom = root.fork();
  useIdRandomness(() => idRandom.next());
  try {
    return await new SimulatedRun(
      options,
      seed,
      clock,
      interleaving,
      faultRandom,
      workloadRandom,
      replay,
    ).run();
  } finally {
    useIdRandomness();
    running = false;
  }
}

class SimulatedRun {
  private readonly backend: MemoryBackend;
  private readonly trace = new Trace();
  private readonly faults: FaultInjector;
  private readonly world: FaultWorld;
  private readonly logs = recordingLogger();
  private readonly processes = new Map<string, SimulatedProcess>();
  private readonly readers = new Map<string, Connection>();
  private readonly factories = new Map<string, { factory: ServiceFactory; faulty: boolean }>();
  private downCount = 0;
  private activity = 0;
  private messages = 0;
  private readonly violations: string[] = [];

  constructor(
    private readonly options: SimulateOptions,
    private readonly seed: number,
    private readonly clock: VirtualClock,
    interleaving: SeededRandom,
    faultRandom: SeededRandom,
    private readonly workloadRandom: SeededRandom,
    replay: ReadonlyArray<ScheduledFault> | undefined,
  ) {
    this.backend = createMemoryBackend({ name: `simulation-${seed}`, clock });
    this.faults = new FaultInjector(options.faults ?? {}, faultRandom, replay);
    clock.lateness = () => this.faults.decide('lateTimers', (r) => r.between(1, 500))?.arg ?? 0;
    this.world = {
      clock,
      random: interleaving,
      faults: this.faults,
      trace: this.trace,
      outages: new Map(),
      crash: (owner) => this.crash(owner as SimulatedProcess),
    };
    for (const [name, factory] of Object.entries(options.services))
      this.factories.set(name, { factory, faulty: true });
    for (const [name, factory] of Object.entries(options.clients ?? {}))
      this.factories.set(name, { factory, faulty: false });
  }

  async run(): Promise<RunOutcome> {
    await this.openReaders();
    const maxSteps = this.options.steps ?? 2_000_000;
    let finished = false;
    let invariantsChecked = 0;
    const main = this.main().then(
      (checked) => {
        invariantsChecked = checked;
      },
      (error: unknown) => {
        this.violations.push(`the run failed: ${ensureErrorMessage(error)}`);
      },
    );
    void main.finally(() => {
      finished = true;
    });
    let steps = 0;
    for (;;) {
      await settleMicrotasks();
      if (finished) break;
      if (steps >= maxSteps) {
        this.violations.push(`did not finish within ${maxSteps} steps (${this.clock.elapsed} virtual ms)`);
        break;
      }
      this.maybeDisturb();
      if (!this.clock.step()) {
        this.violations.push('stuck: nothing is left to happen and the run has not finished');
        break;
      }
      steps++;
    }
    const virtualMs = this.clock.elapsed;
    await this.shutDown();
    const digest = this.trace.finish();
    return {
      violations: this.violations,
      injected: this.faults.injected,
      trace: this.trace,
      digest,
      steps,
      virtualMs,
      messages: this.messages,
      invariantsChecked,
      logs: this.logs,
    };
  }

  /** Starts everything, runs the workload with faults, heals, waits for the story to settle, checks invariants. */
  private async main(): Promise<number> {
    for (const name of this.factories.keys()) await this.launch(name);
    await this.options.workload(this.simulationWorld());
    this.faults.active = false;
    this.world.outages.clear();
    await this.settle();
    let checked = 0;
    for (const [name, invariant] of Object.entries(this.options.invariants)) {
      checked++;
      for (const problem of await check(invariant, this.simulationWorld()))
        this.violations.push(`${name}: ${problem}`);
    }
    for (const entry of this.logs.atLeast('error'))
      if (entry.msg === 'consumer lane crashed')
        this.violations.push(`runtime: a consumer lane crashed (${ensureErrorMessage(entry.fields['err'])})`);
    return checked;
  }

  private async settle(): Promise<void> {
    const within = this.options.settleWithinMs ?? 15 * 60_000;
    const deadline = this.clock.elapsed + within;
    for (;;) {
      const left = deadline - this.clock.elapsed;
      if (left <= 0) throw new Error(`did not settle within ${within} virtual ms`);
      try {
        await whenAllIdle(this.idleSources(), { clock: this.clock, timeoutMs: left });
      } catch (error) {
        throw new Error(`did not settle within ${within} virtual ms: ${ensureErrorMessage(error)}`, {
          cause: error,
        });
      }
      const settled = [
        ...(await this.pendingWork(this.clock.now() + left)),
        ...(this.options.settled === undefined
          ? []
          : await check(this.options.settled, this.simulationWorld())),
      ];
      if (settled.length === 0) return;
      if (this.clock.elapsed + 250 >= deadline)
        throw new Error(`did not settle within ${within} virtual ms: ${settled.join('; ')}`);
      await this.clock.sleep(250);
    }
  }

  /** What idle services still have coming: delayed retries, and durable timers due before `until`. */
  private async pendingWork(until: number): Promise<string[]> {
    const pending: string[] = [];
    for (const name of this.factories.keys()) {
      const store = this.reader(name).store;
      const retrying = await store.listDeadLetters({ status: ['retrying'], limit: 1 });
      if (retrying.length > 0) pending.push(`${name} has messages waiting for a delayed retry`);
      const timer = await store.nextTimerDue();
      if (timer !== undefined && timer <= until) pending.push(`${name} has a timer due`);
    }
    return pending;
  }

  private idleSources(): IdleSource[] {
    const down: IdleSource = {
      name: 'simulation',
      checkIdle: (): Promise<IdleState> =>
        Promise.resolve({
          idle: this.downCount === 0,
          busy: this.downCount === 0 ? [] : [`${this.downCount} process(es) restarting`],
          activity: this.activity,
        }),
    };
    return [
      down,
      ...[...this.factories.keys()].map((name) => ({
        name,
        checkIdle: (): Promise<IdleState> => {
          const service = this.processes.get(name)?.service;
          return service === undefined
            ? Promise.resolve({ idle: false, busy: ['down'], activity: this.activity })
            : service.checkIdle();
        },
      })),
    ];
  }

  // ---- processes -------------------------------------------------------------------------------------------

  private async launch(name: string): Promise<void> {
    const { factory, faulty } = this.factories.get(name)!;
    const proc = new SimulatedProcess(name, faulty, this.clock.forProcess());
    this.processes.set(name, proc);
    this.activity++;
    const connection = await this.backend.open({ service: name });
    const bus = faultyBus(connection.bus, proc, this.world);
    const countingBus = new Proxy(bus, {
      get: (target, property, receiver) => {
        const value: unknown = Reflect.get(target, property, receiver);
        if (property !== 'publish' || typeof value !== 'function') return value;
        return async (messages: ReadonlyArray<unknown>) => {
          await (value as (m: ReadonlyArray<unknown>) => Promise<void>)(messages);
          this.messages += messages.length;
        };
      },
    });
    const crashed = proc.crashed();
    const starting = (async () => {
      const service = await factory({
        name,
        store: faultyStore(connection.store, proc, this.world),
        bus: countingBus,
        clock: proc.clock,
        logger: this.logs.child({ process: name }),
        instanceId: name,
      });
      await service.start();
      return service;
    })();
    try {
      const started = await Promise.race([starting, crashed]);
      // Crashed while starting (a commit of its setup, say): the crash starts it again.
      if (started === 'crashed' || !proc.alive) return;
      proc.service = started;
    } catch (error) {
      if (!proc.alive) return;
      // A process that cannot start exits; its supervisor starts it again.
      this.logs.warn({ process: name, err: error }, 'simulated process failed to start; restarting it');
      this.crash(proc);
    }
  }

  private crash(proc: SimulatedProcess): void {
    if (!proc.alive) return;
    this.end(proc);
    if (this.processes.get(proc.name) === proc) proc.service = undefined;
    this.relaunchLater(proc.name, this.world.random.between(100, 3000));
  }

  private relaunchLater(name: string, delayMs: number): void {
    this.downCount++;
    this.activity++;
    this.clock.after(delayMs, () => {
      this.downCount--;
      this.launch(name).catch((error: unknown) => {
        this.violations.push(`could not restart ${name}: ${ensureErrorMessage(error)}`);
      });
    });
  }

  /** A deploy: the service stops cleanly, then starts again. */
  private async restart(name: string): Promise<void> {
    const proc = this.processes.get(name);
    if (proc?.service === undefined || !proc.alive) return;
    const service = proc.service;
    proc.service = undefined;
    this.downCount++;
    try {
      await Promise.race([service.stop(), proc.crashed()]);
    } finally {
      this.downCount--;
    }
    // Crashed while stopping: the crash starts it again.
    if (!proc.alive) return;
    // Calls still under way (a client's command, say) never get their answer: their callers try the next one.
    this.end(proc);
    if (this.processes.get(name) === proc) await this.launch(name);
  }

  /** An incarnation ends: its clock stops, its calls never settle, and whoever waits on it hears that it is gone. */
  private end(proc: SimulatedProcess): void {
    proc.alive = false;
    proc.clock.kill();
    for (const listener of proc.onCrash) listener();
    proc.onCrash.clear();
  }

  /** Faults that strike between steps rather than inside a call: clock jumps and restarts. */
  private maybeDisturb(): void {
    const jump = this.faults.decide('clockJumps', (r) =>
      r.chance(0.8) ? r.between(1_000, 60_000) : -r.between(1_000, 5_000),
    );
    if (jump !== undefined) this.clock.jump(jump.arg ?? 0);
    const names = Object.keys(this.options.services);
    const restart = this.faults.decide('restarts', (r) => r.below(names.length));
    if (restart !== undefined && names.length > 0) {
      const name = names[(restart.arg ?? 0) % names.length]!;
      this.restart(name).catch((error: unknown) => {
        this.violations.push(`could not restart ${name}: ${ensureErrorMessage(error)}`);
      });
    }
  }

  private async shutDown(): Promise<void> {
    // Stop what runs, in virtual time, with a budget: a run that got stuck may not stop.
    let done = false;
    const stopping = Promise.all(
      [...this.processes.values()].map(async (proc) => {
        if (!proc.alive || proc.service === undefined) return;
        await proc.service.stop({ timeoutMs: 5_000 }).catch(() => {});
        proc.alive = false;
        proc.clock.kill();
      }),
    ).finally(() => {
      done = true;
    });
    for (let steps = 0; !done && steps < 100_000; steps++) {
      await settleMicrotasks();
      if (done || !this.clock.step()) break;
    }
    if (done) await stopping;
    for (const proc of this.processes.values()) {
      proc.alive = false;
      proc.clock.kill();
    }
    await this.backend.dispose();
  }

  // ---- the world as workloads and checks see it --------------------------------------------------------------

  private simulationWorld(): SimulationWorld {
    return {
      seed: this.seed,
      clock: this.clock,
      random: this.workloadRandom,
      bus: this.reader(BUS_READER).bus,
      service: (name) => {
        const service = this.processes.get(name)?.service;
        if (service === undefined) throw new Error(`${name} is down`);
        return service;
      },
      store: (name) => this.reader(name).store,
      sleep: (ms) => this.clock.sleep(ms),
      call: (name, call) => this.call(name, call),
      whenIdle: () => whenAllIdle(this.idleSources(), { clock: this.clock, timeoutMs: 3_600_000 }),
    };
  }

  /** Calls a service as a client would: again, on the next incarnation, if the process crashes or is cut off. */
  private async call<T>(name: string, call: (service: Service) => Promise<T>): Promise<T> {
    for (let attempt = 1; attempt <= 1_000; attempt++) {
      const proc = this.processes.get(name);
      if (proc?.service !== undefined && proc.alive) {
        try {
          const answer = await Promise.race([call(proc.service), proc.crashed()]);
          if (answer !== 'crashed') return answer;
        } catch (error) {
          if (!isConnectionError(error)) throw error;
        }
      }
      await this.clock.sleep(Math.min(1_000, 10 * attempt));
    }
    throw new Error(`${name} did not answer in 1,000 attempts`);
  }

  private reader(name: string): Connection {
    const open = this.readers.get(name);
    if (open !== undefined) return open;
    throw new Error(`no service or client named ${JSON.stringify(name)} in this simulation`);
  }

  /** Opens the fault-free connections checks read through, one per process (and one for the bus). */
  private async openReaders(): Promise<void> {
    for (const name of [...this.factories.keys(), BUS_READER])
      this.readers.set(name, await this.backend.open(name === BUS_READER ? {} : { service: name }));
  }
}

/** A simulated outage or lost connection, however deep in the causes it was wrapped. */
function isConnectionError(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause)
    if (cause instanceof SimulatedConnectionError) return true;
  return false;
}

/** An invariant's answer as a list of problems (empty: it holds). */
async function check(
  invariant: (world: SimulationWorld) => unknown,
  world: SimulationWorld,
): Promise<string[]> {
  try {
    const answer: unknown = await invariant(world);
    if (answer === undefined || answer === null || answer === true) return [];
    if (answer === false) return ['does not hold'];
    if (typeof answer === 'string') return answer === '' ? [] : [answer];
    if (Array.isArray(answer)) return answer.map(String);
    return [`returned ${JSON.stringify(answer)}`];
  } catch (error) {
    return [ensureErrorMessage(error)];
  }
}
