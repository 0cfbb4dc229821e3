/** A name one live process holds among the instances of a service; see {@link InstanceSlots}. */
export interface InstanceSlot {
  /** `<service>-<n>`: the lowest number no other live process of the service held when it was claimed. */
  readonly id: string;
  /** Frees the name for the next process. Idempotent. */
  release(): Promise<void>;
}

/**
 * Stable names for the processes of a service, so a restarted process takes the name — and with it the
 * partition leases — of the one that died, instead of waiting for those leases to expire. A name is held by a
 * lock that the operating system or the database server drops the moment its process dies (a SQLite file lock,
 * a PostgreSQL session advisory lock); a SIGKILLed process's name is free again at once. Two live processes never
 * hold the same name.
 */
export interface InstanceSlots {
  /** Claims the lowest-numbered free name for `service`; it stays held until released or the process ends. */
  claim(service: string): Promise<InstanceSlot>;
}
