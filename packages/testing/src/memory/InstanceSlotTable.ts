/** A process that holds more names than this for one service is surely leaking them. */
const MAX_SLOTS = 4096;

/**
 * The instance names held in one in-memory database: `<service>-<n>`, the lowest `n` no live connection holds.
 * A connection stands for a process, so closing it frees its names, as a process's death frees a SQLite file
 * lock or a PostgreSQL advisory lock.
 */
export class InstanceSlotTable {
  /** service → numbers held */
  private readonly held = new Map<string, Set<number>>();

  /** Takes the lowest free number of `service`; returns the release, which is idempotent. */
  claim(service: string): { id: string; release: () => void } {
    if (!/^[A-Za-z0-9._-]+$/.test(service)) {
      throw new TypeError(`cannot name an instance slot after service ${JSON.stringify(service)}`);
    }
    let numbers = this.held.get(service);
    if (numbers === undefined) this.held.set(service, (numbers = new Set()));
    for (let n = 0; n < MAX_SLOTS; n++) {
      if (numbers.has(n)) continue;
      numbers.add(n);
      const taken = numbers;
      let held = true;
      const release = (): void => {
        if (held) taken.delete(n);
        held = false;
      };
      return { id: `${service}-${n}`, release };
    }
    throw new Error(`every one of ${MAX_SLOTS} instance names of ${service} is taken`);
  }
}
