/**
 * A minimal typed event emitter for lifecycle events. Listeners run synchronously; a throwing listener is
 * isolated so it cannot break the runtime that emits.
 */
export class TypedEmitter<Events extends { [K in keyof Events]: object }> {
  private readonly listeners = new Map<keyof Events, Set<(event: never) => void>>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  on<K extends keyof Events>(name: K, listener: (event: Events[K]) => void): () => void {
    let set = this.listeners.get(name);
    if (set === undefined) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof Events>(name: K, event: Events[K]): void {
    const set = this.listeners.get(name);
    if (set === undefined) return;
    for (const listener of set) {
      try {
        (listener as (event: Events[K]) => void)(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
