export { createNatsBus, type NatsBus, type NatsBusOptions } from './createNatsBus.ts';
export { createKvLeaseStore } from './createKvLeaseStore.ts';
export { parseNatsUrl, type NatsLocation, type NatsTarget } from './parseNatsUrl.ts';
