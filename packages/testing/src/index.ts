export { runConformanceSuite } from './conformance/runConformanceSuite.ts';
export type {
  ConformanceTarget,
  Connection,
  Environment,
  Features,
} from './conformance/ConformanceTarget.ts';
export { waitUntil } from './conformance/waitUntil.ts';
export * as fixtures from './conformance/fixtures.ts';
export { runCrashTest, type CrashTestOptions } from './crash/runCrashTest.ts';
export { runRestartTest } from './crash/runRestartTest.ts';
export { crashWorkload, startCrashWorker } from './crash/crashWorkload.ts';
export { runWorkflowCrashTest, type WorkflowCrashTestOptions } from './crash/runWorkflowCrashTest.ts';
export { workflowCrashWorkload, startWorkflowCrashWorker } from './crash/workflowCrashWorkload.ts';
export {
  entitySpec,
  type EntityScenario,
  type EntitySpecOptions,
  type WhenOptions,
} from './spec/entitySpec.ts';
export {
  serviceSpec,
  type PublishedMessage,
  type ServiceSpec,
  type ServiceSpecOptions,
  type SpecDependencies,
} from './spec/serviceSpec.ts';
export { recordingLogger, type RecordingLogger, type LogEntry } from './logging/recordingLogger.ts';
export {
  createMemoryBackend,
  type MemoryBackend,
  type MemoryBackendOptions,
} from './memory/createMemoryBackend.ts';
export * from './simulation/index.ts';
