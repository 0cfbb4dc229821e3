import { emptyChange, isEmptyChange, type Change, type Store } from '@parley/core';

/**
 * A planted bug, to show that simulation finds one: the engine seen through this store commits a consumer's
 * checkpoint first and the handler's effects afterwards, in a second transaction. A crash (or a failed commit)
 * between the two loses the effects of a message whose checkpoint says it is done. Never use it outside tests of
 * the simulator.
 */
export function checkpointBeforeEffects(store: Store): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'commit') return Reflect.get(target, property, receiver) as unknown;
      return async (change: Change) => {
        const effects = { ...change, checkpoints: [] };
        if (change.checkpoints.length === 0 || isEmptyChange(effects)) return target.commit(change);
        await target.commit({ ...emptyChange, checkpoints: change.checkpoints });
        await target.commit(effects);
      };
    },
  });
}
