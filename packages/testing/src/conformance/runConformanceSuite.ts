import { describe } from 'vitest';
import { commandTests } from './commandTests.ts';
import type { ConformanceTarget } from './ConformanceTarget.ts';
import { consumerTests } from './consumerTests.ts';
import { correlationTests } from './correlationTests.ts';
import { durabilityTests } from './durabilityTests.ts';
import { failureTests } from './failureTests.ts';
import { lifecycleTests } from './lifecycleTests.ts';
import { orderingTests } from './orderingTests.ts';
import { outboxFailureTests } from './outboxFailureTests.ts';
import { outboxTests } from './outboxTests.ts';
import { readAheadTests } from './readAheadTests.ts';
import { replyTests } from './replyTests.ts';
import { sampleTests } from './sampleTests.ts';
import { scaleTests } from './scaleTests.ts';
import { workflowTests } from './workflowTests.ts';

/**
 * Runs Parley's conformance suite against a backend. Call it from a `*.test.ts` file of the adapter; tests
 * a backend does not claim (see {@link ConformanceTarget.features}) are skipped.
 *
 * @example
 * runConformanceSuite({
 *   name: 'sqlite',
 *   features: { orderedPerKey: true, exactlyOnceEffects: true, persistent: true, multiInstance: true },
 *   createEnvironment: async () => sqliteEnvironment(),
 * });
 */
export function runConformanceSuite(target: ConformanceTarget): void {
  describe(`conformance: ${target.name}`, () => {
    orderingTests(target);
    durabilityTests(target);
    commandTests(target);
    outboxTests(target);
    outboxFailureTests(target);
    consumerTests(target);
    readAheadTests(target);
    failureTests(target);
    replyTests(target);
    scaleTests(target);
    lifecycleTests(target);
    workflowTests(target);
    sampleTests(target);
    correlationTests(target);
  });
}
